/**
 * Request bodies sent in tiny pieces cannot blow up the server's memory:
 * measured as the resident set of a server in its own process.
 *
 * @module
 */

import { ok } from "node:assert/strict";
import { createWorkspace } from "../chaos/_helpers.ts";
import { spawnReferenceServer } from "../_helpers/reference_server.ts";

const CONNECTIONS = 20;
const CHUNKS = 1_000;
/** The bound, which the server should meet with a wide margin. */
const MAX_GROWTH_BYTES = 50 * 1024 * 1024;

/** The resident set size of a process, from `ps` (Deno reads /proc only with --allow-all). */
async function residentBytes(pid: number): Promise<number> {
  const { stdout } = await new Deno.Command("ps", {
    args: ["-o", "rss=", "-p", String(pid)],
    stdout: "piped",
    stderr: "null",
  }).output();
  return Number(new TextDecoder().decode(stdout).trim()) * 1024;
}

/**
 * Sends a chunked POST on `CONNECTIONS` connections at once, one byte per
 * chunk with a pause after each so every chunk arrives as its own read.
 */
async function dripBodies(url: URL, headers: string): Promise<void> {
  const encoder = new TextEncoder();
  const chunk = encoder.encode("1\r\n \r\n");
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      const conn = await Deno.connect({
        hostname: url.hostname,
        port: Number(url.port),
      });
      try {
        await conn.write(encoder.encode(
          `POST /api/v1/projects HTTP/1.1\r\nhost: ${url.host}\r\n${headers}` +
            "content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
        ));
        for (let i = 0; i < CHUNKS; i++) {
          await conn.write(chunk);
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        await conn.write(encoder.encode("0\r\n\r\n"));
        await conn.read(new Uint8Array(4096));
      } catch {
        // A server that refused the body early may close the connection.
      } finally {
        conn.close();
      }
    }),
  );
}

/** The peak growth of the server's resident set while `attack` runs. */
async function peakGrowth(
  pid: number,
  attack: () => Promise<void>,
): Promise<number> {
  const baseline = await residentBytes(pid);
  let peak = baseline;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await residentBytes(pid));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    await attack();
  } finally {
    sampling = false;
    await sampler;
  }
  return Math.max(peak, await residentBytes(pid)) - baseline;
}

Deno.test("startServer() holds bodies sent one byte at a time in bounded memory", async (t) => {
  const folder = await Deno.makeTempDir({ prefix: "runplane_drip_" });
  try {
    await using server = await spawnReferenceServer({
      database: `${folder}/drip.db`,
    });
    const workspace = await createWorkspace(server.url);
    const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

    await t.step("without credentials, the body is never read", async () => {
      const growth = await peakGrowth(
        server.pid,
        () => dripBodies(server.url, ""),
      );
      ok(growth < MAX_GROWTH_BYTES, `grew ${mib(growth)}`);
    });

    await t.step(
      "with credentials, the pieces land in one buffer",
      async () => {
        const growth = await peakGrowth(
          server.pid,
          () =>
            dripBodies(
              server.url,
              `authorization: Bearer ${workspace.token}\r\n`,
            ),
        );
        ok(growth < MAX_GROWTH_BYTES, `grew ${mib(growth)}`);
      },
    );
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
