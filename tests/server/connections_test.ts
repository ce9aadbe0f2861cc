/**
 * The server under connections that never send a request, send one byte at
 * a time, or use up its file descriptors: it closes them in time and stays
 * up for everyone else.
 *
 * @module
 */

import { equal, match, ok, rejects } from "node:assert/strict";
import { startServer } from "../../server/mod.ts";
import { ADMIN_TOKEN } from "../_helpers/admin_token.ts";
import { spawnReferenceServer } from "../_helpers/reference_server.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

/** How long a test waits for the server to close a connection before failing. */
const CLOSE_BOUND_MS = 5_000;

/** Opens `count` connections that send nothing; stops early if connecting stalls. */
async function openIdle(url: URL, count: number): Promise<Deno.Conn[]> {
  const conns: Deno.Conn[] = [];
  for (let i = 0; i < count; i++) {
    try {
      conns.push(
        await Deno.connect({
          hostname: url.hostname,
          port: Number(url.port),
          signal: AbortSignal.timeout(2_000),
        } as Deno.ConnectOptions),
      );
    } catch {
      break;
    }
  }
  return conns;
}

function closeAll(conns: Deno.Conn[]): void {
  for (const conn of conns) {
    try {
      conn.close();
    } catch {
      // Closed by the server already.
    }
  }
}

/** `GET /me` as the admin on a new connection: its status, or `undefined` when the server is gone. */
async function me(url: URL): Promise<Response | undefined> {
  using client = Deno.createHttpClient({});
  try {
    const response = await fetch(new URL("/api/v1/me", url), {
      client,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      signal: AbortSignal.timeout(CLOSE_BOUND_MS),
    });
    await response.body?.cancel();
    return response;
  } catch {
    return undefined;
  }
}

/** `GET /me` until it answers 200, for at most about five seconds. */
async function meEventually(url: URL): Promise<number | undefined> {
  let status: number | undefined;
  for (let i = 0; i < 50 && status !== 200; i++) {
    status = (await me(url))?.status;
    if (status !== 200) await new Promise((r) => setTimeout(r, 100));
  }
  return status;
}

/** Reads until the server closes the connection, or the bound passes. */
async function readUntilClosed(
  conn: Deno.Conn,
): Promise<{ closed: boolean; text: string }> {
  const timer = setTimeout(() => conn.close(), CLOSE_BOUND_MS);
  const buffer = new Uint8Array(4096);
  let text = "";
  try {
    while (true) {
      const read = await conn.read(buffer);
      if (read === null) {
        clearTimeout(timer);
        conn.close();
        return { closed: true, text };
      }
      text += new TextDecoder().decode(buffer.subarray(0, read));
    }
  } catch {
    // The bound closed it: the server did not.
    return { closed: false, text };
  }
}

Deno.test("startServer() stays up when idle connections use up its file descriptors, and serves again once they close", async (t) => {
  const folder = await Deno.makeTempDir({ prefix: "runplane_fds_" });
  try {
    await t.step(
      "out of descriptors, it survives, then caps connections below the limit",
      async () => {
        await using server = await spawnReferenceServer({
          database: `${folder}/fds.db`,
          fileLimit: 256,
        });
        const flood = await openIdle(server.url, 400);
        ok(flood.length > 256, `only ${flood.length} connections opened`);
        closeAll(flood);
        equal(await meEventually(server.url), 200);

        // Having met the limit, it refuses the excess instead.
        const again = await openIdle(server.url, 400);
        try {
          // Those over the cap had a second to send a request, then were closed.
          await new Promise((r) => setTimeout(r, 1_500));
          const refused = await me(server.url);
          equal(refused?.status, 503);
          equal(refused?.headers.get("retry-after"), "1");
        } finally {
          closeAll(again);
        }
        equal(await meEventually(server.url), 200);
      },
    );

    await t.step(
      "over --max-connections, a new connection is answered 503 with Retry-After",
      async () => {
        await using server = await spawnReferenceServer({
          database: `${folder}/cap.db`,
          args: ["--max-connections", "20"],
        });
        const idle = await openIdle(server.url, 40);
        try {
          await new Promise((r) => setTimeout(r, 1_500));
          equal((await me(server.url))?.status, 503);
        } finally {
          closeAll(idle);
        }
        equal(await meEventually(server.url), 200);
      },
    );

    await t.step(
      "--header-timeout-ms closes a connection that sends nothing",
      async () => {
        await using server = await spawnReferenceServer({
          database: `${folder}/flags.db`,
          args: ["--header-timeout-ms", "200", "--body-timeout-ms", "200"],
        });
        const conn = await Deno.connect({
          hostname: server.url.hostname,
          port: Number(server.url.port),
        });
        equal((await readUntilClosed(conn)).closed, true);
      },
    );
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("startServer() closes connections whose headers or body do not arrive in time", async (t) => {
  await using server = await startReferenceServer({
    databasePath: ":memory:",
    headerTimeoutMs: 200,
    bodyTimeoutMs: 200,
  });
  const address = {
    hostname: server.url.hostname,
    port: Number(server.url.port),
  };
  const encoder = new TextEncoder();

  await t.step("a connection that sends nothing is closed", async () => {
    const conn = await Deno.connect(address);
    equal((await readUntilClosed(conn)).closed, true);
  });

  await t.step("headers sent a byte at a time are cut off", async () => {
    const conn = await Deno.connect(address);
    const dripping = (async () => {
      await conn.write(encoder.encode("GET /api/v1/me HTTP/1.1\r\nx-a: "));
      for (let i = 0; i < 100; i++) {
        await new Promise((r) => setTimeout(r, 50));
        await conn.write(encoder.encode("a"));
      }
    })().catch(() => {});
    const { closed, text } = await readUntilClosed(conn);
    await dripping;
    equal(closed, true);
    equal(text, "");
  });

  await t.step("a body that stalls is answered 408 and closed", async () => {
    const conn = await Deno.connect(address);
    await conn.write(encoder.encode(
      "POST /api/v1/auth/login HTTP/1.1\r\nhost: x\r\n" +
        "content-type: application/json\r\ncontent-length: 100\r\n\r\n{",
    ));
    const { closed, text } = await readUntilClosed(conn);
    equal(closed, true);
    match(text, /^HTTP\/1\.1 408 /);
    match(text, /"code":"body_timeout"/);
  });

  await t.step("a connection idle between requests is closed", async () => {
    const conn = await Deno.connect(address);
    await conn.write(encoder.encode(
      `GET /api/v1/me HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${ADMIN_TOKEN}\r\n\r\n`,
    ));
    const { closed, text } = await readUntilClosed(conn);
    equal(closed, true);
    match(text, /^HTTP\/1\.1 200 /);
  });
});

Deno.test("startServer() refuses a limit that is not a whole number, naming it", async () => {
  for (
    const [option, message] of [
      [
        "maxConnections",
        "Option maxConnections must be a whole number, at least 1",
      ],
      [
        "headerTimeoutMs",
        "Option headerTimeoutMs must be a whole number, at least 100",
      ],
      [
        "logLinesPerMinute",
        "Option logLinesPerMinute must be a whole number, at least 1",
      ],
    ] as const
  ) {
    await rejects(
      startServer({ port: 0, databasePath: ":memory:", [option]: 0.5 }),
      (error) => error instanceof TypeError && error.message === message,
    );
  }
});
