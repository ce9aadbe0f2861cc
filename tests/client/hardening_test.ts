/**
 * What a hostile or misconfigured server, or a bad argument, must not do to a
 * client: each case against a purpose-built server on 127.0.0.1.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  ApiError,
  AuthenticationError,
  BadRequestError,
  InvalidArgumentError,
  RunplaneError,
} from "../../errors.ts";
import { Credentials } from "../../auth/credentials.ts";
import type { RequestLogEvent } from "../../transport/transport.ts";
import {
  apiError,
  json,
  startRawServer,
  startServer,
} from "../_helpers/test_server.ts";
import { rejection, testClient } from "../_helpers/client.ts";
import { ROOT, runDeno } from "../_helpers/subprocess.ts";

const encoder = new TextEncoder();

Deno.test("Client.request() refuses a malformed method or path before sending", async (t) => {
  await using server = startServer(() => json({}));
  await using client = testClient(server.url, { config: { maxRetries: 3 } });
  const cases: Array<[string, string, string]> = [
    ["GE T", "/", "method"],
    ["GET\n", "/projects", "method"],
    ["", "/projects", "method"],
    ["GET", "/projects x", "path"],
    ["GET", "/projects\r\nX-Injected: 1", "path"],
    ["GET", "//evil.example/projects", "path"],
    ["GET", "/projects#fragment", "path"],
  ];
  for (const [method, path, what] of cases) {
    await t.step(JSON.stringify([method, path]), async () => {
      const error = await rejection(() => client.request(method, path));
      assert.ok(error instanceof InvalidArgumentError, String(error));
      assert.match(error.message, new RegExp(`^Invalid ${what}: `));
    });
  }
  assert.equal(server.requests.length, 0, "nothing was sent, nor retried");
});

Deno.test("Client.request() never follows a redirect", async (t) => {
  await using elsewhere = startServer(() => json({ items: [] }));
  for (const status of [301, 302, 303, 307, 308]) {
    await t.step(String(status), async () => {
      await using server = startServer(() =>
        new Response(null, {
          status,
          headers: { location: `${elsewhere.url}/api/v1/projects?x=secret` },
        })
      );
      await using client = testClient([server.url], {
        config: { maxRetries: 2 },
      });
      const error = await rejection(() =>
        client.projects.create({ name: "churn" })
      );
      assert.ok(error instanceof ApiError, String(error));
      assert.equal(error.status, status);
      assert.equal(
        error.message,
        `POST /api/v1/projects was redirected with status ${status} to ${elsewhere.url}: the client does not follow redirects; fix the endpoint in the config`,
      );
      assert.equal(server.requests.length, 1, "not retried");
    });
  }
  await t.step("a session login's password stays home", async () => {
    await using server = startServer(() =>
      new Response(null, {
        status: 307,
        headers: { location: `${elsewhere.url}/api/v1/auth/login` },
      })
    );
    await using client = testClient(server.url, {
      credentials: new Credentials({ username: "ada", password: "pw-secret" }),
      config: { endpointType: "session" },
    });
    const error = await rejection(() => client.get("/projects"));
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.status, 307);
  });
  assert.equal(
    elsewhere.requests.length,
    0,
    "nothing reached the other origin",
  );
});

async function gzip(text: string): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([text]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

Deno.test("Client.request() counts the decompressed bytes against the response cap", async () => {
  // 40 MiB of JSON that packs into about 40 KiB.
  const packed = await gzip(`{"a":"${"x".repeat(40 * 1024 * 1024)}"}`);
  await using server = startServer(() =>
    new Response(packed, {
      headers: {
        "content-type": "application/json",
        "content-encoding": "gzip",
        "content-length": String(packed.byteLength),
      },
    })
  );
  await using client = testClient(server.url, { config: { maxRetries: 0 } });
  const error = await rejection(() => client.get("/projects"));
  assert.ok(error instanceof RunplaneError, String(error));
  assert.equal(
    error.message,
    "GET /api/v1/projects answered with a body larger than the client reads (33554432 bytes, counted after decompression)",
  );
});

Deno.test("Client.request() reads a body sent in one-byte chunks without holding each chunk's buffer", async () => {
  const text = JSON.stringify({ data: "y".repeat(60_000) });
  await using server = startRawServer(async (conn) => {
    await conn.write(encoder.encode(
      "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n" +
        "transfer-encoding: chunked\r\nconnection: close\r\n\r\n",
    ));
    // One write per chunk, so the client sees them arrive one by one.
    for (const c of text) await conn.write(encoder.encode(`1\r\n${c}\r\n`));
    await conn.write(encoder.encode("0\r\n\r\n"));
  });
  await using client = testClient(server.url, { config: { maxRetries: 0 } });
  const before = Deno.memoryUsage().rss;
  const body = await client.get<{ data: string }>("/projects");
  const grown = Deno.memoryUsage().rss - before;
  assert.equal(body.data.length, 60_000);
  // Holding every chunk's buffer costs about 500 MiB here; copying, about 100.
  assert.ok(grown < 250 * 1024 * 1024, `RSS grew ${grown} bytes`);
});

Deno.test("Client.request() falls back to its own backoff for a Retry-After of zero, in the past, or garbage", async (t) => {
  const values = ["0", "-1", "Thu, 01 Jan 1970 00:00:00 GMT", "soon"];
  for (const value of values) {
    await t.step(value, async () => {
      const seen: number[] = [];
      await using server = startServer((_request, index) => {
        seen.push(performance.now());
        return index === 0
          ? apiError(503, "busy", "Try again", { "retry-after": value })
          : json({ ok: true });
      });
      await using client = testClient(server.url, {
        retryBackoff: { initialDelayMs: 200, maxDelayMs: 200 },
      });
      assert.deepEqual(await client.get("/projects"), { ok: true });
      assert.ok(
        seen[1] - seen[0] >= 140,
        `retried after ${seen[1] - seen[0]} ms`,
      );
    });
  }
});

Deno.test("ApiError keeps no body text of a 2xx answer that is not valid JSON", async () => {
  await using server = startServer(() =>
    new Response('{"name":"db-password","value":"hunter2-partial', {
      headers: { "content-type": "application/json" },
    })
  );
  await using client = testClient(server.url);
  const error = await rejection(() => client.secrets.get("db-password"));
  assert.ok(error instanceof ApiError, String(error));
  assert.equal(error.body, undefined);
  for (
    const form of [
      Deno.inspect(error),
      JSON.stringify(error),
      String(error),
      error.message,
    ]
  ) {
    assert.ok(!form.includes("hunter2"), form);
  }
});

Deno.test("Client names a header with an invalid value without quoting it", async (t) => {
  await using server = startServer((request) =>
    request.path.endsWith("/auth/tenant-login")
      ? json({
        accessToken: "tok\nen-secret",
        refreshToken: "r1",
        expiresAt: Date.now() + 3_600_000,
        tenant: { id: "t1", slug: "acme", name: "Acme", createdAt: "" },
      })
      : json({})
  );
  await using client = testClient(server.url);
  const check = (error: unknown, name: RegExp) => {
    assert.ok(error instanceof InvalidArgumentError, String(error));
    assert.match(error.message, name);
    assert.ok(!error.message.includes("secret"), error.message);
  };
  await t.step("attachHeaders()", async () => {
    check(
      await rejection(() =>
        client.attachHeaders({ "X-Trace": "a\r\nX-Evil: secret" })
      ),
      /^Invalid value of header X-Trace \(attachHeaders\)/,
    );
  });
  await t.step("per-call headers", async () => {
    check(
      await rejection(() =>
        client.get("/projects", { headers: { "X-Key": "a\nsecret" } })
      ),
      /^Invalid value of header X-Key/,
    );
  });
  await t.step("a server-issued access token", async () => {
    check(
      await rejection(() => client.loginToTenant({ slug: "acme" })),
      /^Invalid value of header Authorization \(the server's access token\)/,
    );
  });
  assert.equal(server.requests.length, 1, "only the tenant login was sent");
});

Deno.test("Client's request logger redacts every header that looks like a credential", async () => {
  await using server = startServer(() => json({}));
  const events: RequestLogEvent[] = [];
  await using client = testClient(server.url, {
    logger: (event) => events.push(event),
  });
  const secretHeaders = {
    "Cookie": "s=1",
    "Proxy-Authorization": "Basic x",
    "X-Api-Key": "k",
    "X-Auth-Token": "t",
    "Private-Token": "t",
    "X-Client-Secret": "s",
    "X-Session-Id": "s",
    "X-Password": "p",
  };
  await client.get("/projects", {
    headers: { ...secretHeaders, "X-Trace-Id": "visible" },
  });
  const shown = events[0].headers;
  for (const name of [...Object.keys(secretHeaders), "Authorization"]) {
    assert.equal(shown[name.toLowerCase()], "***", name);
  }
  assert.equal(shown["x-trace-id"], "visible");
});

Deno.test("Client on a session endpoint fails with AuthenticationError when the login sets no cookie", async () => {
  await using server = startServer((request) =>
    request.path.endsWith("/auth/login") ? json({ user: {} }) : json({})
  );
  await using client = testClient(server.url, {
    credentials: new Credentials({ username: "ada", password: "pw" }),
    config: { endpointType: "session" },
  });
  const error = await rejection(() => client.get("/projects"));
  assert.ok(error instanceof AuthenticationError, String(error));
  assert.match(error.message, /without a session cookie/);
  assert.ok(
    server.requests.every((request) => !request.headers.has("cookie")),
    "no empty Cookie header was sent",
  );
});

Deno.test("BadRequestError for tenant_required says where to set the tenant", async () => {
  await using server = startServer(() =>
    apiError(400, "tenant_required", "This route needs a tenant")
  );
  await using client = testClient(server.url);
  const error = await rejection(() => client.get("/projects"));
  assert.ok(error instanceof BadRequestError, String(error));
  assert.equal(
    error.message,
    "GET /api/v1/projects failed with status 400: This route needs a tenant; set tenant in the config, RUNPLANE_TENANT, or the CLI's --tenant",
  );
});

Deno.test("Client turns a denied permission into a ConfigError naming the flag", async (t) => {
  const client = `import { Client, Credentials } from "${ROOT}mod.ts";`;
  const report = `
    } catch (error) {
      console.log(error.name + ": " + error.message);
    }`;
  await t.step("no --allow-net: no retry, no failover", async () => {
    const result = await runDeno(
      `${client}
      const started = Date.now();
      try {
        await new Client({
          credentials: new Credentials({ token: "rp_x" }),
          config: { endpoints: "http://127.0.0.1:9,http://127.0.0.1:10", envFile: false, env: {} },
        }).get("/projects");
      ${report}
      console.log(Date.now() - started < 400 ? "fast" : "slow");`,
      { flags: ["--allow-env"] },
    );
    assert.match(
      result.stdout,
      /^ConfigError: Network access to 127\.0\.0\.1:(9|10) was denied: run Deno with --allow-net=127\.0\.0\.1:(9|10)\nfast\n$/,
      result.stdout + result.stderr,
    );
  });
  await t.step("RUNPLANE_TOKEN set, but no --allow-env", async () => {
    const result = await runDeno(
      `${client}
      try {
        new Client({ credentials: new Credentials({ useEnv: true }), config: { envFile: false } });
      ${report}`,
      { env: { RUNPLANE_TOKEN: "rp_env" } },
    );
    assert.match(
      result.stdout,
      /^ConfigError: No credentials found; access was denied to the environment \(run with --allow-env\): /,
      result.stdout + result.stderr,
    );
  });
  await t.step("a .env file, but no --allow-read", async () => {
    const result = await runDeno(
      `${client}
      Deno.writeTextFileSync(".env", "RUNPLANE_TOKEN=rp_file\\n");
      try {
        new Client({ credentials: new Credentials({ useEnv: true }) });
      ${report}`,
      { flags: ["--allow-env", "--allow-write=."] },
    );
    assert.match(
      result.stdout,
      /^ConfigError: No credentials found; access was denied to \.env \(run with --allow-read\): /,
      result.stdout + result.stderr,
    );
  });
});
