import { deepEqual, equal, match, notEqual } from "node:assert/strict";
import { call, createFlowRun } from "./_helpers.ts";
import { seedTenant } from "../_helpers/seed.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

const STATES =
  "SCHEDULED, PENDING, RUNNING, QUEUED, RETRYING, SUCCESS, FAILED, CANCELLED, CACHED";

Deno.test("server speaks HTTP as the contract says", async (t) => {
  await using server = await startReferenceServer();
  const acme = await seedTenant(server, "acme");
  const token = acme.tokens.member;
  const run = await createFlowRun(server, acme);

  await t.step(
    "every response has an X-Request-Id; a sane one is echoed",
    async () => {
      const echoed = await call(server, "GET", "/me", {
        headers: { "x-request-id": "req-123" },
      });
      equal(echoed.headers.get("x-request-id"), "req-123");
      const replaced = await call(server, "GET", "/nope", {
        headers: { "x-request-id": "bad id with spaces" },
      });
      equal(replaced.status, 404);
      match(replaced.headers.get("x-request-id")!, /^[0-9a-f-]{36}$/);
      const failed = await call(server, "GET", "/me", { token: "wrong" });
      match(failed.headers.get("x-request-id")!, /^[0-9a-f-]{36}$/);
    },
  );

  await t.step(
    "unknown routes are 404; known paths with the wrong method 405",
    async () => {
      const unknown = await call(server, "GET", "/does-not-exist", {
        token: null,
      });
      deepEqual(unknown.body, {
        error: { code: "not_found", message: "Route not found" },
      });
      const wrongMethod = await call(server, "PATCH", "/projects");
      equal(wrongMethod.status, 405);
      equal(wrongMethod.body.error.code, "method_not_allowed");
      equal(wrongMethod.headers.get("allow"), "POST, GET");
    },
  );

  await t.step(
    "Idempotency-Key replays the first answer and refuses another body",
    async () => {
      const headers = { "idempotency-key": "create-p1" };
      const first = await call(server, "POST", "/projects", {
        token,
        headers,
        body: { name: "p1" },
      });
      equal(first.status, 201);
      equal(first.headers.get("idempotent-replayed"), null);
      const replay = await call(server, "POST", "/projects", {
        token,
        headers,
        body: { name: "p1" },
      });
      equal(replay.status, 201);
      equal(replay.headers.get("idempotent-replayed"), "true");
      deepEqual(replay.body, first.body);
      const other = await call(server, "POST", "/projects", {
        token,
        headers,
        body: { name: "p2" },
      });
      equal(other.status, 409);
      equal(other.body.error.code, "idempotency_key_reused");
      // Keys belong to a credential: another caller's same key is its own.
      const otherCaller = await call(server, "POST", "/projects", {
        token: acme.tokens.admin,
        headers,
        body: { name: "p3" },
      });
      equal(otherCaller.status, 201);
      // 4xx answers are kept too.
      const conflictHeaders = { "idempotency-key": "dup" };
      const conflict = await call(server, "POST", "/projects", {
        token,
        headers: conflictHeaders,
        body: { name: "p1" },
      });
      equal(conflict.status, 409);
      const conflictReplay = await call(server, "POST", "/projects", {
        token,
        headers: conflictHeaders,
        body: { name: "p1" },
      });
      equal(conflictReplay.status, 409);
      equal(conflictReplay.headers.get("idempotent-replayed"), "true");
      // Concurrent repeats run once.
      const racers = await Promise.all(
        Array.from({ length: 5 }, () =>
          call(server, "POST", "/projects", {
            token,
            headers: { "idempotency-key": "race" },
            body: { name: "raced" },
          })),
      );
      deepEqual(racers.map((r) => r.status), [201, 201, 201, 201, 201]);
      equal(new Set(racers.map((r) => r.body.id)).size, 1);
    },
  );

  await t.step(
    "bodies over 1 MiB are 413, by Content-Length or by bytes read",
    async () => {
      const big = JSON.stringify({ name: "x".repeat(1024 * 1024) });
      const declared = await call(server, "POST", "/projects", {
        token,
        body: big,
      });
      equal(declared.status, 413);
      equal(declared.body.error.code, "body_too_large");
      const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 20) return controller.close();
          sent++;
          controller.enqueue(chunk);
        },
      });
      const response = await fetch(new URL("/api/v1/projects", server.url), {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
        },
        body: stream,
      });
      equal(response.status, 413);
      equal((await response.json()).error.code, "body_too_large");
    },
  );

  await t.step(
    "brackets inside strings, after escaped quotes too, are no nesting",
    async () => {
      const name = 'a \\"' + "[".repeat(70) + '\\\\"' + "{".repeat(70);
      const created = await call(server, "POST", "/projects", {
        token,
        body: { name },
      });
      equal(created.status, 201);
      equal(created.body.name, name);
    },
  );

  await t.step(
    "malformed requests get a 4xx that names the problem",
    async () => {
      const flowRunState = `/flow-runs/${run.flowRunId}/state`;
      const cases: Array<
        [string, string, unknown, number, string, Record<string, string>?]
      > = [
        ["POST", "/projects", "{", 400, "Request body is not valid JSON"],
        [
          "POST",
          "/projects",
          new Uint8Array([0x22, 0xff, 0x22]),
          400,
          "Request body is not valid JSON",
        ],
        ["POST", "/projects", "[1]", 400, "Request body must be a JSON object"],
        [
          "POST",
          "/projects",
          {},
          400,
          "Field name must be a string of 1 to 200 characters",
        ],
        [
          "POST",
          "/projects",
          { name: 5 },
          400,
          "Field name must be a string of 1 to 200 characters",
        ],
        [
          "POST",
          "/projects",
          "name=x",
          415,
          "Request body must be application/json",
          {
            "content-type": "application/x-www-form-urlencoded",
          },
        ],
        [
          "POST",
          "/projects",
          "[".repeat(100) + "]".repeat(100),
          400,
          "Request body is nested more than 64 levels deep",
        ],
        [
          "POST",
          "/flow-runs",
          {},
          400,
          "Give exactly one of the fields flowId and versionGroupId",
        ],
        [
          "POST",
          "/flow-runs",
          { flowId: run.flowId, parameters: [] },
          400,
          "Field parameters must be an object",
        ],
        [
          "POST",
          "/flow-runs",
          {
            flowId: run.flowId,
            scheduledStartTime: "tomorrow",
          },
          400,
          "Field scheduledStartTime must be an ISO-8601 time",
        ],
        [
          "POST",
          "/flow-runs",
          {
            flowId: run.flowId,
            scheduledStartTime: "2026-02-30T00:00:00Z",
          },
          400,
          "Field scheduledStartTime must be an ISO-8601 time",
        ],
        // Times in toISOString()'s exact form take a shorter path: it must
        // refuse the same impossible fields.
        ...[
          "2026-02-30T00:00:00.000Z",
          "2025-02-29T00:00:00.000Z",
          "2026-13-01T00:00:00.000Z",
          "2026-00-10T00:00:00.000Z",
          "2026-01-01T24:00:00.000Z",
          "2026-01-01T23:60:00.000Z",
        ].map((time): [string, string, unknown, number, string] => [
          "POST",
          "/flow-runs",
          { flowId: run.flowId, scheduledStartTime: time },
          400,
          "Field scheduledStartTime must be an ISO-8601 time",
        ]),
        [
          "POST",
          flowRunState,
          { version: 1.5, state: "RUNNING" },
          400,
          "Field version must be a whole number from 1 to 9007199254740991",
        ],
        [
          "POST",
          flowRunState,
          { version: "1", state: "RUNNING" },
          400,
          "Field version must be a whole number from 1 to 9007199254740991",
        ],
        [
          "POST",
          flowRunState,
          { version: 1, state: "DONE" },
          400,
          `Field state must be one of ${STATES}`,
        ],
        [
          "POST",
          flowRunState,
          { version: 1, state: { type: "X" } },
          400,
          `Field state.type must be one of ${STATES}`,
        ],
        [
          "POST",
          flowRunState,
          { version: 1 },
          400,
          "Field state must be an object",
        ],
        [
          "POST",
          "/task-runs",
          {
            flowRunId: run.flowRunId,
            taskId: "t",
            tags: "gpu",
          },
          400,
          "Field tags must be an array of at most 100 strings of 1 to 255 characters",
        ],
        [
          "POST",
          "/task-runs",
          {
            flowRunId: run.flowRunId,
            taskId: "t",
            mapIndex: -2,
          },
          400,
          "Field mapIndex must be a whole number from -1 to 1000000000",
        ],
        [
          "POST",
          "/logs",
          { entries: [] },
          400,
          "Field entries must be an array of 1 to 10000 items",
        ],
        [
          "POST",
          "/logs",
          {
            entries: [{
              flowRunId: run.flowRunId,
              level: "LOUD",
              message: "m",
            }],
          },
          400,
          "Field entries[0].level must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL",
        ],
        [
          "POST",
          "/logs",
          { entries: [5] },
          400,
          "Field entries[0] must be an object",
        ],
        [
          "POST",
          "/agents",
          { type: "x", labels: { a: 1 } },
          400,
          "Field labels must be an object of at most 50 string values",
        ],
        [
          "GET",
          "/flow-runs?limit=0",
          undefined,
          400,
          "Query parameter limit must be a whole number from 1 to 500",
        ],
        [
          "GET",
          "/flow-runs?limit=ten",
          undefined,
          400,
          "Query parameter limit must be a whole number from 1 to 500",
        ],
        [
          "GET",
          "/flow-runs?state=DONE",
          undefined,
          400,
          `Query parameter state must be one of ${STATES}`,
        ],
        [
          "GET",
          "/flow-runs?cursor=not-a-cursor",
          undefined,
          400,
          "Query parameter cursor is not a valid cursor",
        ],
        [
          "GET",
          "/logs?cursor=%F0%9F%98%80",
          undefined,
          400,
          "Query parameter cursor is not a valid cursor",
        ],
        [
          "GET",
          "/cached-states?createdAfter=yesterday",
          undefined,
          400,
          "Query parameter createdAfter must be an ISO-8601 time",
        ],
        [
          "PUT",
          "/secrets/a%20b",
          { value: "v" },
          400,
          "Path parameter name must be 1 to 128 letters, digits and _ . -",
        ],
        [
          "PUT",
          "/secrets/ok",
          { value: 7 },
          400,
          "Field value must be a string of 0 to 65536 characters",
        ],
        [
          "POST",
          "/projects",
          { name: "idem" },
          400,
          "Idempotency-Key must be 1 to 255 printable ASCII characters",
          {
            "idempotency-key": "k".repeat(256),
          },
        ],
        [
          "GET",
          "/flow-runs/00000000-0000-0000-0000-000000000000",
          undefined,
          404,
          "Flow run not found",
        ],
      ];
      for (const [method, path, body, status, message, headers] of cases) {
        const answer = await call(server, method, path, {
          token,
          body,
          headers,
        });
        equal(answer.status, status, `${method} ${path}`);
        equal(answer.body.error.message, message, `${method} ${path}`);
        notEqual(answer.body.error.code, undefined);
      }
      const adminCases: Array<[unknown, string]> = [
        [
          { slug: "A", name: "x" },
          "Field slug must be a string of 2 to 63 characters",
        ],
        [
          { slug: "-ab", name: "x" },
          "Field slug must be a slug of lower-case letters, digits and dashes",
        ],
        [
          { slug: "abc", name: "" },
          "Field name must be a string of 1 to 200 characters",
        ],
      ];
      for (const [body, message] of adminCases) {
        const answer = await call(server, "POST", "/tenants", { body });
        equal(answer.status, 400);
        equal(answer.body.error.message, message);
      }
      const shortPassword = await call(server, "POST", "/users", {
        body: {
          username: "bob",
          password: "short",
          tenant: "acme",
          role: "viewer",
        },
      });
      equal(
        shortPassword.body.error.message,
        "Field password must be a string of 8 to 1024 characters",
      );
      const badRole = await call(server, "POST", "/users", {
        body: {
          username: "bob",
          password: "long enough",
          tenant: "acme",
          role: "owner",
        },
      });
      equal(
        badRole.body.error.message,
        "Field role must be one of viewer, member, admin",
      );
    },
  );
});
