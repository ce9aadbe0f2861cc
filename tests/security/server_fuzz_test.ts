import assert from "node:assert/strict";
import fc from "fast-check";
import { signRequest } from "../../auth/hmac.ts";
import { type Answer, call } from "../server/_helpers.ts";
import { assertErrorShape, createObjects, LEAK } from "./_helpers.ts";
import { ADMIN_TOKEN } from "../_helpers/admin_token.ts";
import { PASSWORD, seedTenant } from "../_helpers/seed.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

const ROUTES = [
  "GET /tenants",
  "POST /tenants",
  "GET /tenants/default",
  "POST /users",
  "POST /api-tokens",
  "POST /access-keys",
  "POST /auth/login",
  "POST /auth/logout",
  "POST /auth/tenant-login",
  "POST /auth/refresh",
  "POST /auth/tenant-logout",
  "GET /me",
  "POST /projects",
  "GET /projects",
  "GET /projects/:id",
  "DELETE /projects/:id",
  "POST /flows",
  "GET /flows",
  "GET /flows/:id",
  "POST /flows/:id/archive",
  "POST /flow-runs",
  "GET /flow-runs",
  "GET /flow-runs/:id",
  "POST /flow-runs/:id/state",
  "POST /flow-runs/:id/heartbeat",
  "POST /task-runs",
  "GET /task-runs/:id",
  "POST /task-runs/:id/state",
  "POST /task-runs/:id/heartbeat",
  "GET /cached-states",
  "GET /concurrency-limits/:id",
  "PUT /concurrency-limits/:id",
  "DELETE /concurrency-limits/:id",
  "POST /logs",
  "GET /logs",
  "PUT /secrets/:id",
  "GET /secrets/:id",
  "GET /secrets",
  "DELETE /secrets/:id",
  "POST /agents",
  "POST /agents/:id/heartbeat",
];
const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];
const FIELDS = [
  "name",
  "description",
  "projectId",
  "flowId",
  "versionGroupId",
  "setScheduleActive",
  "definition",
  "parameters",
  "context",
  "scheduledStartTime",
  "idempotencyKey",
  "version",
  "state",
  "cacheFor",
  "flowRunId",
  "taskRunId",
  "taskId",
  "mapIndex",
  "tags",
  "limit",
  "entries",
  "dropped",
  "value",
  "type",
  "labels",
  "slug",
  "id",
  "tenant",
  "role",
  "scope",
  "refreshToken",
];
const QUERY_KEYS = [
  "limit",
  "cursor",
  "flowId",
  "projectId",
  "state",
  "taskId",
  "cacheKey",
  "createdAfter",
  "flowRunId",
  "taskRunId",
];

/** One line of printable ASCII: what a header value can carry. */
const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 300,
});

/** Odd strings for ids and query values. */
const oddText = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.constantFrom(
    "",
    "..",
    "../..",
    "%00",
    "null",
    "-1",
    "0",
    "501",
    "1e400",
    "x".repeat(5_000),
    "' OR 1=1 --",
    "${jndi:ldap://x}",
    "<script>",
    "\u0000\u0001",
    "2026-13-45T99:99:99Z",
    "SUCCESS",
    "running",
  ),
);

const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  oddText,
  fc.integer(),
  fc.double(),
  fc.constantFrom(
    "RUNNING",
    "COMPLETED",
    { type: "RUNNING" },
    { type: "CACHED", cacheKey: 5 },
    [{ flowRunId: "x", level: "LOUD", message: 1 }],
    "2026-11-22T14:43:04.123Z",
    "2026-11-22T14:43:04",
    -1,
    2 ** 53,
  ),
);

Deno.test("server answers random requests with no 500 and no leak", async (t) => {
  await using server = await startReferenceServer();
  const tenant = await seedTenant(server, "fuzz");
  const objects = await createObjects(server, tenant);
  const key = (await call(server, "POST", "/access-keys", {
    body: { username: tenant.usernames.member, tenant: tenant.slug },
  })).body;
  const ids = [
    ...Object.values(objects),
    crypto.randomUUID(),
  ];
  const auths = fc.constantFrom(
    "none",
    "admin",
    "tenant-admin",
    "member",
    "viewer",
    "keypair",
    "basic",
    "bad-bearer",
    "bad-basic",
    "bad-hmac",
    "odd",
  );

  const request = fc.record({
    route: fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(...ROUTES) },
      {
        weight: 1,
        arbitrary: fc.array(oddText, { maxLength: 4 }).map((parts) =>
          `GET /${parts.map(encodeURIComponent).join("/")}`
        ),
      },
    ),
    method: fc.oneof(
      { weight: 5, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
    ),
    id: fc.oneof(fc.constantFrom(...ids), oddText),
    query: fc.dictionary(
      fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.string()),
      oddText,
      { maxKeys: 4 },
    ),
    auth: auths,
    tenant: fc.option(
      fc.oneof(fc.constantFrom(tenant.slug, "other-tenant"), headerText),
      { freq: 2 },
    ),
    contentType: fc.oneof(
      { weight: 6, arbitrary: fc.constant("application/json") },
      { weight: 1, arbitrary: fc.constant(null) },
      {
        weight: 2,
        arbitrary: fc.oneof(
          fc.constantFrom(
            "application/json; charset=utf-8",
            "APPLICATION/JSON",
            "text/plain",
            "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded",
          ),
          headerText,
        ),
      },
    ),
    idempotencyKey: fc.option(headerText, { freq: 3 }),
    requestId: fc.option(headerText, { freq: 3 }),
    body: fc.oneof(
      fc.constant(undefined),
      fc.dictionary(fc.constantFrom(...FIELDS), jsonish, { maxKeys: 6 })
        .map((fields) => JSON.stringify(fields)),
      fc.dictionary(fc.constantFrom(...FIELDS), jsonish, { maxKeys: 6 })
        .map((fields) => JSON.stringify(fields)),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.string({ unit: "binary" }),
      fc.uint8Array({ maxLength: 64 }),
    ),
  });

  let sent = 0;
  const statuses: Record<number, number> = {};
  await t.step("random routes, bodies, headers and credentials", async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const [routeMethod, template] = r.route.split(" ");
        const method = r.method ?? routeMethod;
        const path = template.replace(":id", encodeURIComponent(r.id));
        const search = new URLSearchParams(r.query).toString();
        const url = new URL(
          `/api/v1${path}${search ? `?${search}` : ""}`,
          server.url,
        );
        const headers = new Headers();
        if (r.tenant !== null) headers.set("x-runplane-tenant", r.tenant);
        if (r.contentType !== null) headers.set("content-type", r.contentType);
        if (r.idempotencyKey !== null) {
          headers.set("idempotency-key", r.idempotencyKey);
        }
        if (r.requestId !== null) headers.set("x-request-id", r.requestId);
        const body = method === "GET" || method === "HEAD" ? undefined : r.body;
        switch (r.auth) {
          case "admin":
            headers.set("authorization", `Bearer ${ADMIN_TOKEN}`);
            break;
          case "tenant-admin":
          case "member":
          case "viewer": {
            const role = r.auth === "tenant-admin" ? "admin" : r.auth;
            headers.set("authorization", `Bearer ${tenant.tokens[role]}`);
            break;
          }
          case "keypair": {
            const signed = await signRequest(
              { method, url, headers, body },
              key,
            );
            for (const [name, value] of Object.entries(signed.headers)) {
              headers.set(name, value);
            }
            break;
          }
          case "basic":
            // A known password: verified once, then cached by the server.
            headers.set(
              "authorization",
              `Basic ${btoa(`${tenant.usernames.viewer}:${PASSWORD}`)}`,
            );
            break;
          case "bad-bearer":
            headers.set("authorization", `Bearer rp_${r.id.length}_forged`);
            break;
          case "bad-basic":
            headers.set("authorization", "Basic !!not-base64!!");
            break;
          case "bad-hmac":
            headers.set(
              "authorization",
              `RUNPLANE-HMAC-SHA256 Credential=${key.accessKey}, Signature=00`,
            );
            break;
          case "odd":
            headers.set("authorization", r.idempotencyKey ?? "Bearer");
        }
        const response = await fetch(url, {
          method,
          headers,
          body: body as BodyInit | undefined,
        });
        const text = await response.text();
        sent++;
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        const context = `${method} ${url.pathname}${url.search} as ${r.auth}`;
        assert.ok(
          response.status < 500,
          `${context}: ${response.status} ${text}`,
        );
        assert.doesNotMatch(text, LEAK, context);
        if (response.status >= 400 && method !== "HEAD") {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            assert.fail(`${context}: ${response.status} is not JSON: ${text}`);
          }
          const answer: Answer = {
            status: response.status,
            headers: response.headers,
            body: parsed,
          };
          assertErrorShape(answer, context);
          if (response.status === 401) {
            assert.equal(
              answer.body.error.message,
              "Authentication failed",
              context,
            );
          }
        }
      }),
      { numRuns: 1_000 },
    );
  });

  await t.step("bodies at and past the limits", async () => {
    const token = tenant.tokens.member;
    const cases: Array<[string, string | Uint8Array, number, string]> = [
      [
        "2 MiB",
        JSON.stringify({ name: "x".repeat(2 * 1024 * 1024) }),
        413,
        "body_too_large",
      ],
      [
        "deep arrays",
        "[".repeat(200_000) + "]".repeat(200_000),
        400,
        "invalid_json",
      ],
      [
        "deep objects",
        '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000),
        400,
        "invalid_json",
      ],
      ["65 levels", "[".repeat(65) + "]".repeat(65), 400, "invalid_json"],
      [
        "invalid UTF-8",
        new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
        400,
        "invalid_json",
      ],
      ["unterminated", '{"name": "x', 400, "invalid_json"],
      ["a number", "1e400", 400, "invalid_body"],
    ];
    for (const [name, body, status, code] of cases) {
      const answer = await call(server, "POST", "/projects", { token, body });
      assert.equal(
        answer.status,
        status,
        `${name}: ${JSON.stringify(answer.body)}`,
      );
      assertErrorShape(answer, name);
      assert.equal(answer.body.error.code, code, name);
    }
    const wrongType = await call(server, "POST", "/projects", {
      token,
      body: "name=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assert.equal(wrongType.status, 415);
    assertErrorShape(wrongType);
  });

  // deno-lint-ignore no-console
  console.log(
    `server fuzz: ${sent} requests, statuses ${JSON.stringify(statuses)}`,
  );
});
