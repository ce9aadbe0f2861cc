import assert from "node:assert/strict";
import { InvalidArgumentError, RunplaneError } from "../../errors.ts";
import { Client } from "../../client/client.ts";
import { Credentials } from "../../auth/credentials.ts";
import { VERSION } from "../../version.ts";
import { json, startServer } from "../_helpers/test_server.ts";
import { rejection, testClient } from "../_helpers/client.ts";

Deno.test("Client sends its default headers", async () => {
  await using server = startServer(() => json({}));
  await using plain = testClient(server.url);
  await using tenant = testClient(server.url, {
    config: { tenant: "acme", apiVersion: "2", userAgent: "agent/9" },
  });
  await plain.get("/a");
  await tenant.get("/b");
  const [first, second] = server.requests.map((r) => r.headers);
  assert.equal(
    first.get("user-agent"),
    `runplane-client/${VERSION} Deno/${Deno.version.deno}`,
  );
  // Only what the server needs: the default version and `Accept` are
  // left out (each header costs every request time inside `fetch`).
  assert.equal(first.get("x-runplane-api-version"), null);
  assert.equal(first.get("x-runplane-tenant"), null);
  assert.notEqual(first.get("accept"), "application/json");
  assert.equal(second.get("user-agent"), "agent/9");
  assert.equal(second.get("x-runplane-api-version"), "2");
  assert.equal(second.get("x-runplane-tenant"), "acme");
});

Deno.test("Client sends a JSON body and query parameters", async () => {
  await using server = startServer(() => json({}));
  await using client = testClient(server.url);
  await client.post("/runs", { name: "r\u00e9", n: [1, 2] }, {
    query: {
      tag: ["a", "b c"],
      limit: 5,
      skip: undefined,
      none: null,
      ok: true,
    },
  });
  const [request] = server.requests;
  assert.equal(request.path, "/api/v1/runs?tag=a&tag=b+c&limit=5&ok=true");
  assert.equal(request.headers.get("content-type"), "application/json");
  assert.deepEqual(JSON.parse(request.text), { name: "r\u00e9", n: [1, 2] });
});

Deno.test("Client.attachHeaders() adds default headers that a per-call header and Authorization still win over", async () => {
  await using server = startServer(() => json({}));
  await using client = testClient(server.url);
  await client.get("/before");
  client.attachHeaders({
    "X-Trace-Id": "abc",
    Authorization: "Bearer forged",
    "x-runplane-tenant": "other",
  });
  await client.get("/after");
  await client.get("/call", { headers: { "X-Trace-Id": "per-call" } });
  const headers = server.requests.map((r) => r.headers);
  assert.equal(headers[0].get("x-trace-id"), null);
  assert.equal(headers[1].get("x-trace-id"), "abc");
  assert.equal(headers[1].get("x-runplane-tenant"), "other");
  assert.equal(headers[2].get("x-trace-id"), "per-call");
  for (const h of headers) {
    assert.equal(h.get("authorization"), "Bearer rp_test_token");
  }
});

Deno.test("Client: a per-call Authorization header never replaces the credentials, with or without other call options", async () => {
  await using server = startServer(() => json({}));
  await using client = testClient(server.url);
  const forged = { Authorization: "Bearer forged" };
  await client.get("/plain");
  await client.get("/forged", { headers: forged });
  await client.post("/forged-post", { a: 1 }, { headers: forged });
  await client.get("/plain-again");
  for (const request of server.requests) {
    assert.equal(
      request.headers.get("authorization"),
      "Bearer rp_test_token",
      request.url.pathname,
    );
  }
  assert.equal(server.requests.length, 4);
});

Deno.test("Client.request() reports bad input as a rejected promise, never a synchronous throw", async () => {
  await using server = startServer(() => json({}));
  await using client = testClient(server.url);
  let returned: Promise<unknown> | undefined;
  assert.doesNotThrow(() => {
    returned = client.request("GE T", "/projects");
  });
  await assert.rejects(returned!, InvalidArgumentError);
  await client.close();
  let closed: Promise<unknown> | undefined;
  assert.doesNotThrow(() => {
    closed = client.get("/projects");
  });
  await assert.rejects(closed!, RunplaneError);
  assert.equal(server.requests.length, 0);
});

Deno.test("Client closes at the end of await using and then refuses requests", async () => {
  await using server = startServer(() => json({}));
  let escaped;
  {
    await using client = testClient(server.url);
    escaped = client;
    await client.get("/a");
    assert.equal(client.closed, false);
  }
  assert.equal(escaped.closed, true);
  const error = await rejection(() => escaped.get("/b"));
  assert.ok(error instanceof RunplaneError);
  assert.equal(error.message, "The client is closed: create a new Client");
  assert.equal(server.requests.length, 1);
  await escaped.close();
});

Deno.test("Client.request() rejects bad per-call maxRetries and timeoutMs before sending", async () => {
  await using server = startServer(() => json({}));
  await using client = testClient(server.url);
  const cases: Array<[Record<string, number>, string]> = [
    [{ maxRetries: -1 }, "maxRetries"],
    [{ maxRetries: 1.5 }, "maxRetries"],
    [{ maxRetries: NaN }, "maxRetries"],
    [{ maxRetries: Infinity }, "maxRetries"],
    [{ timeoutMs: 0 }, "timeoutMs"],
    [{ timeoutMs: NaN }, "timeoutMs"],
  ];
  for (const [options, name] of cases) {
    const error = await rejection(() => client.get("/projects", options));
    assert.ok(error instanceof InvalidArgumentError, String(error));
    assert.equal(
      error.message,
      name === "maxRetries"
        ? `Invalid maxRetries: expected a whole number from 0 to 2147483647, got ${options.maxRetries}`
        : `Invalid timeoutMs: expected a whole number from 1 to 2147483647, got ${options.timeoutMs}`,
    );
  }
  assert.equal(server.requests.length, 0);
});

Deno.test("new Client() refuses options of the wrong kind before sending anything", async (t) => {
  const credentials = new Credentials({ token: "rp_options" });
  const config = { envFile: false as const, env: {} };
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["fetch", { fetch: "yes" }, "Client option fetch must be a function"],
    ["logger", { logger: {} }, "Client option logger must be a function"],
    [
      "retryBackoff",
      { retryBackoff: { initialDelayMs: -1 } },
      "Client option retryBackoff.initialDelayMs must be a number of milliseconds of at least 0",
    ],
  ];
  for (const [name, extra, message] of cases) {
    await t.step(name, () => {
      assert.throws(
        () => new Client({ credentials, config, ...extra } as never),
        (error: unknown) =>
          error instanceof InvalidArgumentError && error.message === message,
      );
    });
  }
});
