/**
 * Helpers for the security suite: a tenant full of objects to attack, and
 * checks on the shape of error answers.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { RunplaneServer } from "../../server/mod.ts";
import { type Answer, call, createFlowRun } from "../server/_helpers.ts";
import type { SeededTenant } from "../_helpers/seed.ts";

/** The ids of one of every kind of object in a tenant. */
export interface TenantObjects {
  projectId: string;
  flowId: string;
  flowRunId: string;
  taskRunId: string;
  limitId: string;
  limitTag: string;
  agentId: string;
  secretName: string;
}

/** Fills a tenant with one object of every kind, as its admin. */
export async function createObjects(
  server: RunplaneServer,
  tenant: SeededTenant,
): Promise<TenantObjects> {
  const token = tenant.tokens.admin;
  const { projectId, flowId, flowRunId } = await createFlowRun(server, tenant);
  const taskRun = await call(server, "POST", "/task-runs", {
    token,
    body: { flowRunId, taskId: "extract", tags: ["db"] },
  });
  const limit = await call(server, "PUT", "/concurrency-limits/db", {
    token,
    body: { limit: 2 },
  });
  const agent = await call(server, "POST", "/agents", {
    token,
    body: { type: "process" },
  });
  const secretName = `${tenant.slug}-db-password`;
  const secret = await call(server, "PUT", `/secrets/${secretName}`, {
    token,
    body: { value: `value-of-${tenant.slug}` },
  });
  const log = await call(server, "POST", "/logs", {
    token,
    body: { entries: [{ flowRunId, level: "INFO", message: "hello" }] },
  });
  for (const answer of [taskRun, limit, agent, secret, log]) {
    assert.ok(answer.status < 300, JSON.stringify(answer.body));
  }
  return {
    projectId,
    flowId,
    flowRunId,
    taskRunId: taskRun.body.id,
    limitId: limit.body.id,
    limitTag: "db",
    agentId: agent.body.id,
    secretName,
  };
}

/** Matches a stack frame or a source path: nothing a client should ever see. */
export const LEAK = /\n\s+at |file:\/\/|\/work\/|\.ts:\d+|node_modules|deno\//;

/** Asserts the contract's error shape, a status, and optionally a code. */
export function assertError(
  answer: Answer,
  status: number,
  code?: string,
  context = "",
): void {
  assert.equal(
    answer.status,
    status,
    `${context}: expected ${status}, got ${answer.status} ${
      JSON.stringify(answer.body)
    }`,
  );
  assertErrorShape(answer, context);
  if (code !== undefined) assert.equal(answer.body.error.code, code, context);
}

/** Asserts `{ error: { code, message } }` with a snake_case code and no leak. */
export function assertErrorShape(answer: Answer, context = ""): void {
  const body = answer.body;
  assert.ok(
    typeof body === "object" && body !== null &&
      typeof body.error === "object" && body.error !== null,
    `${context}: ${answer.status} without an error object: ${
      JSON.stringify(body)
    }`,
  );
  assert.match(body.error.code, /^[a-z]+(_[a-z]+)*$/, context);
  assert.equal(typeof body.error.message, "string", context);
  assert.ok(body.error.message.length > 0, context);
  assert.doesNotMatch(JSON.stringify(body), LEAK, context);
}
