import assert from "node:assert/strict";
import {
  AbortError,
  ApiError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  RunplaneError,
  ServerError,
  TimeoutError,
  UnprocessableEntityError,
} from "../../errors.ts";
import type { RequestLogEvent } from "../../transport/transport.ts";
import {
  apiError,
  dropConnection,
  hang,
  json,
  refusingUrl,
  startRawServer,
  startServer,
  truncatedBody,
} from "../_helpers/test_server.ts";
import { rejection, testClient } from "../_helpers/client.ts";

const UUID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const encoder = new TextEncoder();

function busy(status: number, headers?: HeadersInit): Response {
  return apiError(status, "busy", "Try again later", headers);
}

Deno.test("Client.request() retries retriable statuses and succeeds", async (t) => {
  for (const status of [408, 429, 500, 502, 503, 504]) {
    await t.step(String(status), async () => {
      await using server = startServer((_request, index) =>
        index < 2 ? busy(status) : json({ id: "p1" })
      );
      await using client = testClient(server.url);
      assert.deepEqual(await client.get("/projects/p1"), { id: "p1" });
      assert.equal(server.requests.length, 3);
    });
  }
});

Deno.test("Client.request() does not retry client errors", async (t) => {
  const cases: Array<[number, typeof ApiError]> = [
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [422, UnprocessableEntityError],
  ];
  for (const [status, Class] of cases) {
    await t.step(String(status), async () => {
      await using server = startServer(() => busy(status));
      await using client = testClient(server.url);
      const error = await rejection(() => client.post("/projects", { a: 1 }));
      assert.ok(error instanceof Class, String(error));
      assert.equal(server.requests.length, 1);
    });
  }
});

Deno.test("Client.request() gives up after maxRetries from config or from the call", async (t) => {
  const cases: Array<[string, number | undefined, number | undefined, number]> =
    [
      ["default", undefined, undefined, 3],
      ["config 0", 0, undefined, 1],
      ["config 4", 4, undefined, 5],
      ["call 1 over config 4", 4, 1, 2],
      ["call 0 over default", undefined, 0, 1],
    ];
  for (const [name, configured, perCall, attempts] of cases) {
    await t.step(name, async () => {
      await using server = startServer(() => busy(503));
      await using client = testClient(server.url, {
        config: configured === undefined ? {} : { maxRetries: configured },
      });
      const error = await rejection(() =>
        client.get("/projects", { maxRetries: perCall })
      );
      assert.ok(error instanceof ServerError);
      assert.equal(
        error.message,
        "GET /api/v1/projects failed with status 503: Try again later",
      );
      assert.equal(server.requests.length, attempts);
    });
  }
});

Deno.test("Client.request() retries connection errors", async (t) => {
  await t.step("and succeeds when the server answers again", async () => {
    await using server = startRawServer(async (conn, index) => {
      if (index < 2) return;
      const body = '{"ok":true}';
      await conn.write(encoder.encode(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n" +
          `content-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
      ));
    });
    await using client = testClient(server.url);
    assert.deepEqual(await client.get("/projects"), { ok: true });
    assert.equal(server.count, 3);
  });
  await t.step("and throws ConnectionError when retries run out", async () => {
    await using server = startRawServer(dropConnection);
    await using client = testClient(server.url);
    const error = await rejection(() => client.get("/projects"));
    assert.ok(error instanceof ConnectionError, String(error));
    assert.equal(
      error.message,
      `Cannot reach ${server.url} for GET /api/v1/projects: connection reset (3 attempts)`,
    );
    assert.equal(server.count, 3);
  });
  await t.step("to a port that refuses", async () => {
    const url = refusingUrl();
    const events: RequestLogEvent[] = [];
    await using client = testClient(url, {
      logger: (event) => events.push(event),
    });
    const error = await rejection(() => client.get("/projects"));
    assert.ok(error instanceof ConnectionError);
    assert.deepEqual(
      events.map((e) => [e.attempt, e.error, e.status]),
      [[1, "ConnectionError", undefined], [2, "ConnectionError", undefined], [
        3,
        "ConnectionError",
        undefined,
      ]],
    );
  });
});

Deno.test("Client.request() retries attempts that time out", async (t) => {
  await t.step("and succeeds when an attempt answers in time", async () => {
    await using server = startServer((_request, index) =>
      index === 0 ? hang() : json({ ok: true })
    );
    await using client = testClient(server.url);
    assert.deepEqual(
      await client.get("/slow", { timeoutMs: 100 }),
      { ok: true },
    );
    assert.equal(server.requests.length, 2);
  });
  await t.step("and throws TimeoutError when every attempt hangs", async () => {
    await using server = startServer(() => hang());
    await using client = testClient(server.url, {
      config: { timeoutMs: 50, maxRetries: 1 },
    });
    const error = await rejection(() => client.get("/slow"));
    assert.ok(error instanceof TimeoutError, String(error));
    assert.equal(
      error.message,
      "GET /api/v1/slow timed out after 50 ms (2 attempts)",
    );
    assert.equal(server.requests.length, 2);
  });
});

Deno.test("Client.request() waits as long as Retry-After and Retry-After-Ms ask", async (t) => {
  const cases: Array<[string, () => HeadersInit, number]> = [
    ["Retry-After-Ms", () => ({ "retry-after-ms": "200" }), 180],
    ["Retry-After in seconds", () => ({ "retry-after": "1" }), 900],
    ["Retry-After as an HTTP date", () => ({
      "retry-after": new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000)
        .toUTCString(),
    }), 900],
  ];
  for (const [name, headers, atLeastMs] of cases) {
    await t.step(name, async () => {
      const seen: number[] = [];
      await using server = startServer((_request, index) => {
        seen.push(performance.now());
        return index === 0 ? busy(503, headers()) : json({ ok: true });
      });
      await using client = testClient(server.url);
      assert.deepEqual(await client.get("/projects"), { ok: true });
      assert.equal(seen.length, 2);
      assert.ok(
        seen[1] - seen[0] >= atLeastMs,
        `retried after ${seen[1] - seen[0]} ms`,
      );
    });
  }
});

Deno.test("Client.request() stops with AbortError when the caller's signal aborts", async (t) => {
  await t.step("during a request", async () => {
    const controller = new AbortController();
    const reason = new Error("user cancelled");
    await using server = startServer(() => {
      controller.abort(reason);
      return hang();
    });
    await using client = testClient(server.url);
    const error = await rejection(() =>
      client.get("/slow", { signal: controller.signal })
    );
    assert.ok(error instanceof AbortError, String(error));
    assert.equal(
      error.message,
      "GET /api/v1/slow was aborted by the caller",
    );
    assert.equal(error.cause, reason);
    assert.equal(server.requests.length, 1);
  });
  await t.step("during the wait between retries", async () => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await using server = startServer(() =>
      busy(503, { "retry-after-ms": "60000" })
    );
    await using client = testClient(server.url, {
      logger: () => {
        timer = setTimeout(() => controller.abort(), 20);
      },
    });
    const error = await rejection(() =>
      client.post("/runs", {}, { signal: controller.signal })
    );
    clearTimeout(timer);
    assert.ok(error instanceof AbortError, String(error));
    assert.equal(error.message, "POST /api/v1/runs was aborted by the caller");
    assert.equal(server.requests.length, 1);
  });
  await t.step("before it starts", async () => {
    await using server = startServer(() => json({}));
    await using client = testClient(server.url);
    const error = await rejection(() =>
      client.get("/projects", { signal: AbortSignal.abort() })
    );
    assert.ok(error instanceof AbortError);
    assert.equal(server.requests.length, 0);
  });
});

Deno.test("Client.request() sends one Idempotency-Key per POST and PATCH, the same on every retry", async () => {
  await using server = startServer((_request, index) =>
    index % 3 < 2 ? busy(503) : json({})
  );
  await using client = testClient(server.url);
  await client.post("/runs", { a: 1 });
  await client.patch("/runs/1", { a: 2 });
  await client.post("/runs", { a: 3 }, { idempotencyKey: "caller-key-1" });
  const keys = server.requests.map((r) => r.headers.get("idempotency-key"));
  assert.equal(keys.length, 9);
  for (const call of [0, 1, 2]) {
    const [first, ...rest] = keys.slice(call * 3, call * 3 + 3);
    assert.deepEqual(rest, [first, first], `call ${call} changed its key`);
  }
  assert.match(keys[0]!, UUID);
  assert.match(keys[3]!, UUID);
  assert.notEqual(keys[0], keys[3]);
  assert.equal(keys[6], "caller-key-1");
});

Deno.test("Client.request() sends no Idempotency-Key with GET, PUT or DELETE", async () => {
  await using server = startServer(() => json({}));
  await using client = testClient(server.url);
  await client.get("/runs");
  await client.put("/secrets/a", { value: "v" });
  await client.delete("/runs/1");
  assert.deepEqual(
    server.requests.map((r) => [r.method, r.headers.get("idempotency-key")]),
    [["GET", null], ["PUT", null], ["DELETE", null]],
  );
});

Deno.test("Client.request() fails over to the next endpoint and sticks to it", async () => {
  await using live = startServer(() => json({ ok: true }));
  // The pool starts at a random endpoint: try fresh lists until one starts
  // at the refusing endpoint, so that failover really happens.
  for (let tries = 0; tries < 40; tries++) {
    const dead = refusingUrl();
    const events: RequestLogEvent[] = [];
    const logger = (event: RequestLogEvent) => events.push(event);
    await using client = testClient([dead, live.url], { logger });
    assert.deepEqual(await client.get("/projects"), { ok: true });
    if (!events[0].url.startsWith(dead)) continue;
    assert.deepEqual(events.map((e) => [e.url, e.attempt, e.error]), [
      [`${dead}/api/v1/projects`, 1, "ConnectionError"],
      [`${live.url}/api/v1/projects`, 1, undefined],
    ]);
    events.length = 0;
    await client.get("/projects");
    await using second = testClient([dead, live.url], { logger });
    await second.get("/projects");
    assert.deepEqual(events.map((e) => e.url), [
      `${live.url}/api/v1/projects`,
      `${live.url}/api/v1/projects`,
    ]);
    return;
  }
  assert.fail("No endpoint pool started at the first endpoint in 40 tries");
});

Deno.test("Client.request() throws ConnectionError when every endpoint is down", async () => {
  const a = refusingUrl();
  const b = refusingUrl();
  const events: RequestLogEvent[] = [];
  await using client = testClient([a, b], {
    config: { maxRetries: 1 },
    logger: (event) => events.push(event),
  });
  const error = await rejection(() => client.get("/projects"));
  assert.ok(error instanceof ConnectionError);
  assert.match(
    error.message,
    /^Cannot reach any endpoint \(http:\/\/127\.0\.0\.1:\d+, http:\/\/127\.0\.0\.1:\d+\) for GET \/api\/v1\/projects: connection refused \(2 attempts\)$/,
  );
  assert.ok(error.message.includes(a) && error.message.includes(b));
  assert.equal(events.length, 4, "two attempts, each trying both endpoints");
});

Deno.test("Client.request() does not fail over on an HTTP error status", async () => {
  await using a = startServer(() => busy(500));
  await using b = startServer(() => busy(500));
  await using client = testClient([a.url, b.url]);
  const error = await rejection(() => client.get("/projects"));
  assert.ok(error instanceof ServerError);
  assert.deepEqual(
    [a.requests.length, b.requests.length].sort(),
    [0, 3],
    "every attempt went to the endpoint that answered",
  );
});

Deno.test("Client.request() turns unreadable bodies into ApiError", async (t) => {
  await t.step("an HTML error page", async () => {
    await using server = startServer(() =>
      new Response("<html><body>Not here</body></html>", {
        status: 404,
        headers: { "content-type": "text/html; charset=utf-8" },
      })
    );
    await using client = testClient(server.url);
    const error = await rejection(() => client.get("/page"));
    assert.ok(error instanceof NotFoundError, String(error));
    assert.equal(
      error.message,
      "GET /api/v1/page failed with status 404: the response is not JSON (text/html)",
    );
    assert.equal(error.body, "<html><body>Not here</body></html>");
  });
  await t.step("an HTML 502 from a proxy, after retries", async () => {
    await using server = startServer(() =>
      new Response("<h1>Bad gateway</h1>", {
        status: 502,
        headers: { "content-type": "text/html" },
      })
    );
    await using client = testClient(server.url);
    const error = await rejection(() => client.get("/page"));
    assert.ok(error instanceof ServerError);
    assert.equal(
      error.message,
      "GET /api/v1/page failed with status 502: the response is not JSON (text/html)",
    );
    assert.equal(server.requests.length, 3);
  });
  await t.step("a 2xx with invalid JSON", async () => {
    await using server = startServer(() =>
      new Response("{not json", {
        headers: { "content-type": "application/json" },
      })
    );
    await using client = testClient(server.url);
    const error = await rejection(() => client.get("/projects"));
    assert.ok(error instanceof ApiError, String(error));
    assert.ok(!(error instanceof SyntaxError));
    assert.equal(error.status, 200);
    assert.equal(
      error.message,
      "GET /api/v1/projects answered 200 with a body that is not valid JSON (application/json)",
    );
  });
  await t.step("a truncated body, after retries", async () => {
    await using server = startRawServer(truncatedBody);
    await using client = testClient(server.url);
    const error = await rejection(() =>
      client.get("/projects", { query: { limit: 1 } })
    );
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(
      error.message,
      "GET /api/v1/projects answered 200 but the connection broke before the whole body arrived",
    );
    assert.equal(error.url, `${server.url}/api/v1/projects?limit=1`);
    assert.equal(error.status, 200);
    assert.equal(server.count, 3);
  });
  await t.step("a truncated body names the endpoint that sent it", async () => {
    await using server = startRawServer(truncatedBody);
    await using client = testClient([refusingUrl(), server.url], {
      config: { maxRetries: 0 },
    });
    const error = await rejection(() => client.get("/projects"));
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.url, `${server.url}/api/v1/projects`);
  });
});

Deno.test("Client.request() returns undefined for an empty body", async () => {
  await using server = startServer((_request, index) =>
    index === 0 ? new Response(null, { status: 204 }) : new Response("")
  );
  await using client = testClient(server.url);
  assert.equal(await client.delete("/runs/1"), undefined);
  assert.equal(await client.post("/runs/1/cancel"), undefined);
});

Deno.test("Client.request() answers HEAD with no body, whatever Content-Length says", async () => {
  await using server = startServer(() => json({ id: "r1" }));
  await using client = testClient(server.url);
  assert.equal(await client.request("HEAD", "/runs/1"), undefined);
  assert.equal(server.requests[0].method, "HEAD");
});

Deno.test("ApiError subclasses carry status, method, url, requestId and body", async (t) => {
  const cases: Array<[number, typeof ApiError]> = [
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, ServerError],
    [503, ServerError],
    [418, ApiError],
  ];
  await using server = startServer((request) => {
    const status = Number(request.url.pathname.split("/").pop());
    return apiError(status, `code_${status}`, `Failure ${status}`, {
      "x-request-id": `req-${status}`,
    });
  });
  await using client = testClient(server.url, { config: { maxRetries: 0 } });
  for (const [status, Class] of cases) {
    await t.step(`${status} is ${Class.name}`, async () => {
      const error = await rejection(() =>
        client.patch(`/status/${status}`, { a: 1 }, { query: { v: "x" } })
      );
      assert.ok(error instanceof Class, String(error));
      assert.ok(error instanceof ApiError && error instanceof RunplaneError);
      assert.equal(error.name, Class.name);
      assert.equal(error.status, status);
      assert.equal(error.method, "PATCH");
      assert.equal(error.url, `${server.url}/api/v1/status/${status}?v=x`);
      assert.equal(error.requestId, `req-${status}`);
      assert.equal(error.code, `code_${status}`);
      assert.deepEqual(error.body, {
        error: { code: `code_${status}`, message: `Failure ${status}` },
      });
      assert.equal(
        error.message,
        `PATCH /api/v1/status/${status} failed with status ${status}: Failure ${status}`,
      );
    });
  }
});
