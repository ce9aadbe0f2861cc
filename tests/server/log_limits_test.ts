/**
 * Log volume: a per-tenant limit on lines written, and a retention period
 * after which the sweep removes lines.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { deepEqual, equal, ok } from "node:assert/strict";
import { call, createFlowRun } from "./_helpers.ts";
import { seedTenant } from "../_helpers/seed.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

function lines(flowRunId: string, count: number, message = "line") {
  return {
    entries: Array.from({ length: count }, () => ({
      flowRunId,
      level: "INFO",
      message,
    })),
  };
}

Deno.test("startServer() limits the log lines each tenant writes a minute, with 429 and Retry-After", async () => {
  await using server = await startReferenceServer({
    databasePath: ":memory:",
    logLinesPerMinute: 100,
  });
  const acme = await seedTenant(server, "acme");
  const globex = await seedTenant(server, "globex");
  const acmeRun = await createFlowRun(server, acme);
  const globexRun = await createFlowRun(server, globex);
  const write = (tenant: typeof acme, flowRunId: string, count: number) =>
    call(server, "POST", "/logs", {
      token: tenant.tokens.member,
      body: lines(flowRunId, count),
    });

  equal((await write(acme, acmeRun.flowRunId, 100)).status, 201);
  const limited = await write(acme, acmeRun.flowRunId, 1);
  equal(limited.status, 429);
  equal(limited.body.error.code, "too_many_requests");
  ok(Number(limited.headers.get("retry-after")) >= 1);
  // Another tenant has its own allowance.
  equal((await write(globex, globexRun.flowRunId, 100)).status, 201);
});

Deno.test("startServer() removes log lines older than the retention period in its sweep", async () => {
  const folder = await Deno.makeTempDir({ prefix: "runplane_retention_" });
  const databasePath = `${folder}/logs.db`;
  try {
    let token: string;
    let flowRunId: string;
    {
      await using server = await startReferenceServer({ databasePath });
      const tenant = await seedTenant(server, "acme");
      ({ flowRunId } = await createFlowRun(server, tenant));
      token = tenant.tokens.member;
      for (const message of ["old", "recent", "new"]) {
        const written = await call(server, "POST", "/logs", {
          token,
          body: lines(flowRunId, 1, message),
        });
        equal(written.status, 201);
      }
    }
    const db = new DatabaseSync(databasePath);
    try {
      const daysAgo = (days: number) =>
        new Date(Date.now() - days * 24 * 60 * 60_000).toISOString();
      const age = db.prepare(
        "UPDATE logs SET created_at = ? WHERE message = ?",
      );
      age.run(daysAgo(31), "old");
      age.run(daysAgo(29), "recent");
    } finally {
      db.close();
    }
    // A fresh server sweeps on its first request; the default keeps 30 days.
    await using server = await startReferenceServer({ databasePath });
    const listed = await call(server, "GET", `/logs?flowRunId=${flowRunId}`, {
      token,
    });
    deepEqual(
      listed.body.items.map((line: { message: string }) => line.message),
      ["recent", "new"],
    );
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
