/**
 * The bare peer of the reference server: `Deno.serve` and `node:sqlite`
 * doing the same SQL work on a copy of the same database (same migrations,
 * same pragmas), with one SHA-256 token lookup per request and no framework,
 * no idempotency table, no validation beyond what the SQL needs. It is the
 * limit the reference server's hot path is measured against
 * (`bench/server_hot_path.ts`), not a server to use.
 *
 * Run: `deno run -A bench/_bare_server.ts <database file> <keypair secret>`;
 * it prints `listening on <url>` and serves until stdin closes. The keypair's
 * secret is given on the command line: the bare server stands for a server
 * that keeps every opened secret in memory.
 *
 * @module
 */

import { createHash, randomBytes } from "node:crypto";
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { migrate } from "../server/migrations.ts";
import { verifySignatureSync } from "../auth/hmac.ts";

const [path, accessSecret] = Deno.args;
const db = new DatabaseSync(path);
db.exec("PRAGMA journal_mode = WAL");
db.exec("PRAGMA synchronous = NORMAL");
db.exec("PRAGMA foreign_keys = ON");
db.exec("PRAGMA busy_timeout = 5000");
migrate(db);

const statements = new Map<string, StatementSync>();
function sql(text: string): StatementSync {
  let statement = statements.get(text);
  if (!statement) {
    statement = db.prepare(text);
    statements.set(text, statement);
  }
  return statement;
}

function transaction<T>(fn: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = fn();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

const HEX = Array.from(
  { length: 256 },
  (_, i) => i.toString(16).padStart(2, "0"),
);
let pool = randomBytes(4096);
let used = 0;
function uuidV7(): string {
  if (used + 10 > pool.length) {
    pool = randomBytes(4096);
    used = 0;
  }
  let time = Date.now();
  let out = "";
  const bytes = new Uint8Array(16);
  for (let i = 5; i >= 0; i--) {
    bytes[i] = time % 256;
    time = Math.floor(time / 256);
  }
  bytes.set(pool.subarray(used, used + 10), 6);
  used += 10;
  bytes[6] = 0x70 | (bytes[6] & 0x0f);
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out += "-";
    out += HEX[bytes[i]];
  }
  return out;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

const denied = () => json(401, { error: { code: "unauthenticated" } });

/** The tenant a credential is bound to, while its user is a member there. */
function memberOf(
  table: string,
  column: string,
  value: string,
): { tenant_id: string } | undefined {
  return sql(
    `SELECT c.tenant_id FROM ${table} c
     JOIN memberships m ON m.user_id = c.user_id AND m.tenant_id = c.tenant_id
     WHERE c.${column} = ?`,
  ).get(value) as { tenant_id: string } | undefined;
}

/** The caller's tenant: one SHA-256 and one SELECT, or one SELECT and an HMAC check. */
async function tenantOf(
  request: Request,
): Promise<{ tenantId: string; body: Uint8Array } | undefined> {
  const header = request.headers.get("authorization") ?? "";
  if (header.startsWith("Bearer ")) {
    const hash = createHash("sha256").update(header.slice(7)).digest("hex");
    const row = memberOf("api_tokens", "token_hash", hash);
    if (!row) return undefined;
    return {
      tenantId: row.tenant_id,
      body: new Uint8Array(await request.arrayBuffer()),
    };
  }
  const key = /Credential=([^,\s]+)/.exec(header)?.[1];
  if (key === undefined) return undefined;
  const row = memberOf("access_keys", "access_key", key);
  if (!row) return undefined;
  const body = new Uint8Array(await request.arrayBuffer());
  const result = verifySignatureSync({
    method: request.method,
    url: request.url,
    headers: request.headers,
    body,
  }, { secretKey: accessSecret });
  if (!result.ok) return undefined;
  const fresh = sql(
    `INSERT INTO nonces (access_key, nonce, expires_at) VALUES (?, ?, ?)
     ON CONFLICT DO NOTHING`,
  ).run(key, result.nonce, Date.now() + 600_000).changes;
  return fresh === 1 ? { tenantId: row.tenant_id, body } : undefined;
}

function createRun(tenantId: string, body: Record<string, unknown>): Response {
  return transaction(() => {
    const flow = sql(
      "SELECT id, name FROM flows WHERE tenant_id = ? AND id = ?",
    )
      .get(tenantId, String(body.flowId)) as
        | { id: string; name: string }
        | undefined;
    if (!flow) return json(404, { error: { code: "not_found" } });
    const now = new Date().toISOString();
    const id = uuidV7();
    const state = JSON.stringify({ type: "SCHEDULED", timestamp: now });
    const parameters = JSON.stringify(body.parameters ?? {});
    sql(
      `INSERT INTO flow_runs (id, tenant_id, flow_id, name, version, state, state_type,
         parameters, context, scheduled_start_time, created_at, updated_at)
       VALUES (?, ?, ?, ?, 1, ?, 'SCHEDULED', ?, '{}', ?, ?, ?)`,
    ).run(
      id,
      tenantId,
      flow.id,
      `${flow.name}-${id.slice(-12)}`,
      state,
      parameters,
      now,
      now,
      now,
    );
    sql(
      "INSERT INTO flow_run_states (flow_run_id, version, state) VALUES (?, 1, ?)",
    )
      .run(id, state);
    return new Response(
      `{"id":"${id}","flowId":"${flow.id}","name":"${flow.name}-${
        id.slice(-12)
      }","version":1,"state":${state},"parameters":${parameters},"context":{},"scheduledStartTime":"${now}","createdAt":"${now}","updatedAt":"${now}","heartbeatAt":null,"startTime":null,"endTime":null,"durationMs":null}`,
      {
        status: 201,
        headers: { "content-type": "application/json; charset=utf-8" },
      },
    );
  });
}

function setState(
  tenantId: string,
  id: string,
  body: Record<string, unknown>,
): Response {
  return transaction(() => {
    const row = sql(
      "SELECT version, state_type FROM flow_runs WHERE tenant_id = ? AND id = ?",
    ).get(tenantId, id) as { version: number; state_type: string } | undefined;
    if (!row) return json(404, { error: { code: "not_found" } });
    if (row.version !== body.version) {
      return json(409, { error: { code: "stale_version" } });
    }
    const now = new Date().toISOString();
    const state = JSON.stringify({ type: body.state, timestamp: now });
    const next = row.version + 1;
    sql(
      `UPDATE flow_runs SET state = ?, state_type = ?, version = ?, updated_at = ?,
         start_time = COALESCE(start_time, ?) WHERE id = ?`,
    ).run(state, String(body.state), next, now, now, id);
    sql(
      "INSERT INTO flow_run_states (flow_run_id, version, state) VALUES (?, ?, ?)",
    )
      .run(id, next, state);
    return new Response(`{"state":${state},"version":${next}}`, {
      headers: { "content-type": "application/json; charset=utf-8" },
    });
  });
}

function getRun(tenantId: string, id: string): Response {
  const row = sql(
    `SELECT r.*, (SELECT json_group_array(json(s.state)) FROM
       (SELECT state FROM flow_run_states WHERE flow_run_id = r.id ORDER BY version) s)
       AS history
     FROM flow_runs r WHERE r.tenant_id = ? AND r.id = ?`,
  ).get(tenantId, id) as Record<string, string | number | null> | undefined;
  if (!row) return json(404, { error: { code: "not_found" } });
  return new Response(
    `{"id":"${row.id}","flowId":"${row.flow_id}","name":${
      JSON.stringify(row.name)
    },"version":${row.version},"state":${row.state},"parameters":${row.parameters},"context":${row.context},"scheduledStartTime":"${row.scheduled_start_time}","createdAt":"${row.created_at}","updatedAt":"${row.updated_at}","heartbeatAt":${
      JSON.stringify(row.heartbeat_at)
    },"startTime":${JSON.stringify(row.start_time)},"endTime":${
      JSON.stringify(row.end_time)
    },"durationMs":null,"history":${row.history}}`,
    { headers: { "content-type": "application/json; charset=utf-8" } },
  );
}

function writeLogs(
  tenantId: string,
  body: { entries: Array<Record<string, string>> },
): Response {
  return transaction(() => {
    const entries = body.entries;
    const runs = new Set<string>();
    for (const entry of entries) {
      if (runs.has(entry.flowRunId)) continue;
      if (
        !sql("SELECT 1 FROM flow_runs WHERE tenant_id = ? AND id = ?").get(
          tenantId,
          entry.flowRunId,
        )
      ) {
        throw new Error("Flow run not found");
      }
      runs.add(entry.flowRunId);
    }
    const now = new Date().toISOString();
    const insert = sql(
      `INSERT INTO logs (id, tenant_id, flow_run_id, task_run_id, level, message,
         timestamp, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const entry of entries) {
      insert.run(
        uuidV7(),
        tenantId,
        entry.flowRunId,
        entry.taskRunId ?? null,
        entry.level,
        entry.message,
        entry.timestamp ?? now,
        now,
      );
    }
    return json(201, { written: entries.length });
  });
}

const RUN = /^\/api\/v1\/flow-runs\/([^/]+)(\/state)?$/;

const server = Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  // deno-lint-ignore no-console
  onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}`),
}, async (request) => {
  const auth = await tenantOf(request);
  if (!auth) return denied();
  const path = request.url.slice(request.url.indexOf("/", 8));
  const body = auth.body.length === 0
    ? {}
    : JSON.parse(new TextDecoder().decode(auth.body));
  if (request.method === "POST" && path === "/api/v1/flow-runs") {
    return createRun(auth.tenantId, body);
  }
  if (request.method === "POST" && path === "/api/v1/logs") {
    return writeLogs(auth.tenantId, body);
  }
  const match = RUN.exec(path);
  if (match && request.method === "POST" && match[2]) {
    return setState(auth.tenantId, decodeURIComponent(match[1]), body);
  }
  if (match && request.method === "GET" && !match[2]) {
    return getRun(auth.tenantId, decodeURIComponent(match[1]));
  }
  return json(404, { error: { code: "not_found" } });
});

// Stops when the benchmark closes stdin.
for await (const _ of Deno.stdin.readable) { /* wait */ }
await server.shutdown();
db.close();
