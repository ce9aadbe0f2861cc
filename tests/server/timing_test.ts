import { deepEqual, equal, ok } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { call, createFlowRun } from "./_helpers.ts";
import { migrate, MIGRATIONS } from "../../server/migrations.ts";
import { seedTenant } from "../_helpers/seed.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

Deno.test("server times runs from their history and keeps RETRYING open", async (t) => {
  await using server = await startReferenceServer();
  const acme = await seedTenant(server, "acme");
  const token = acme.tokens.member;
  const { flowId, flowRunId } = await createFlowRun(server, acme);

  await t.step(
    "a flow run gains startTime, endTime and durationMs",
    async () => {
      const fresh = await call(server, "GET", `/flow-runs/${flowRunId}`, {
        token,
      });
      equal(fresh.body.startTime, null);
      equal(fresh.body.endTime, null);
      equal(fresh.body.durationMs, null);
      let version = fresh.body.version;
      const stamps: Record<string, string> = {};
      for (const state of ["PENDING", "RUNNING", "SUCCESS"]) {
        const change = await call(
          server,
          "POST",
          `/flow-runs/${flowRunId}/state`,
          {
            token,
            body: { version, state },
          },
        );
        equal(change.status, 200);
        version = change.body.version;
        stamps[state] = change.body.state.timestamp;
      }
      const done = await call(server, "GET", `/flow-runs/${flowRunId}`, {
        token,
      });
      equal(done.body.startTime, stamps.RUNNING);
      equal(done.body.endTime, stamps.SUCCESS);
      equal(
        done.body.durationMs,
        Date.parse(stamps.SUCCESS) - Date.parse(stamps.RUNNING),
      );
      const listed = await call(server, "GET", `/flow-runs?flowId=${flowId}`, {
        token,
      });
      equal(listed.body.items[0].durationMs, done.body.durationMs);
    },
  );

  await t.step(
    "a task run retries through RETRYING, keeps its first start and its history",
    async () => {
      const { flowRunId: runId } = await createFlowRun(server, acme);
      const created = await call(server, "POST", "/task-runs", {
        token,
        body: { flowRunId: runId, taskId: "extract" },
      });
      let version = created.body.version;
      const types = ["RUNNING", "RETRYING", "RUNNING", "FAILED"];
      const stamps: string[] = [];
      for (const state of types) {
        const change = await call(
          server,
          "POST",
          `/task-runs/${created.body.id}/state`,
          {
            token,
            body: { version, state: { type: state, message: `to ${state}` } },
          },
        );
        equal(change.status, 200, `${state}: ${JSON.stringify(change.body)}`);
        version = change.body.version;
        stamps.push(change.body.state.timestamp);
      }
      const taskRun = await call(
        server,
        "GET",
        `/task-runs/${created.body.id}`,
        {
          token,
        },
      );
      deepEqual(
        taskRun.body.history.map((state: { type: string }) => state.type),
        ["PENDING", ...types],
      );
      equal(taskRun.body.startTime, stamps[0]);
      equal(taskRun.body.endTime, stamps[3]);
      equal(
        taskRun.body.durationMs,
        Date.parse(stamps[3]) - Date.parse(stamps[0]),
      );
    },
  );

  await t.step(
    "state=SCHEDULED&scheduledBefore lists only the due runs of a version group",
    async () => {
      const project = await call(server, "POST", "/projects", {
        token,
        body: { name: "due" },
      });
      const v1 = await call(server, "POST", "/flows", {
        token,
        body: { name: "nightly", projectId: project.body.id },
      });
      const other = await call(server, "POST", "/flows", {
        token,
        body: { name: "other", projectId: project.body.id },
      });
      const past = new Date(Date.now() - 60_000).toISOString();
      const future = new Date(Date.now() + 3_600_000).toISOString();
      const due = await call(server, "POST", "/flow-runs", {
        token,
        body: { flowId: v1.body.id, scheduledStartTime: past },
      });
      await call(server, "POST", "/flow-runs", {
        token,
        body: { flowId: v1.body.id, scheduledStartTime: future },
      });
      await call(server, "POST", "/flow-runs", {
        token,
        body: { flowId: other.body.id, scheduledStartTime: past },
      });
      const v2 = await call(server, "POST", "/flows", {
        token,
        body: { name: "nightly", projectId: project.body.id },
      });
      const dueV2 = await call(server, "POST", "/flow-runs", {
        token,
        body: { flowId: v2.body.id },
      });
      const now = encodeURIComponent(new Date().toISOString());
      const listed = await call(
        server,
        "GET",
        `/flow-runs?state=SCHEDULED&scheduledBefore=${now}&versionGroupId=${v1.body.versionGroupId}`,
        { token },
      );
      deepEqual(
        listed.body.items.map((run: { id: string }) => run.id),
        [dueV2.body.id, due.body.id],
      );
      const bad = await call(server, "GET", "/flow-runs?scheduledBefore=soon", {
        token,
      });
      equal(bad.status, 400);
      equal(
        bad.body.error.message,
        "Query parameter scheduledBefore must be an ISO-8601 time",
      );
    },
  );
});

Deno.test("migrate() to version 5 backfills run timing and task run history", () => {
  const db = new DatabaseSync(":memory:");
  try {
    migrate(db, MIGRATIONS.filter((migration) => migration.version < 5));
    db.exec(`
      INSERT INTO tenants (id, slug, name, created_at) VALUES ('t', 't', 'T', 'x');
      INSERT INTO projects (id, tenant_id, name, created_at) VALUES ('p', 't', 'p', 'x');
      INSERT INTO flows (id, tenant_id, project_id, name, version, version_group_id,
        archived, definition, schedule_active, created_at)
        VALUES ('f', 't', 'p', 'f', 1, 'g', 0, 'null', 1, 'x');
      INSERT INTO flow_runs (id, tenant_id, flow_id, name, version, state, state_type,
        parameters, context, scheduled_start_time, created_at, updated_at)
        VALUES ('r', 't', 'f', 'r', 3, '{"type":"SUCCESS","timestamp":"2026-01-01T00:00:05.000Z"}',
        'SUCCESS', '{}', '{}', 'x', 'x', 'x');
      INSERT INTO flow_run_states (flow_run_id, version, state) VALUES
        ('r', 1, '{"type":"SCHEDULED","timestamp":"2026-01-01T00:00:00.000Z"}'),
        ('r', 2, '{"type":"RUNNING","timestamp":"2026-01-01T00:00:01.000Z"}'),
        ('r', 3, '{"type":"SUCCESS","timestamp":"2026-01-01T00:00:05.000Z"}');
      INSERT INTO task_runs (id, tenant_id, flow_run_id, task_id, map_index, tags,
        version, state, state_type, created_at, updated_at)
        VALUES ('k', 't', 'r', 'x', -1, '[]', 2,
        '{"type":"RUNNING","timestamp":"2026-01-01T00:00:02.000Z"}', 'RUNNING', 'x', 'x');
    `);
    migrate(db);
    deepEqual(
      { ...db.prepare("SELECT start_time, end_time FROM flow_runs").get() },
      {
        start_time: "2026-01-01T00:00:01.000Z",
        end_time: "2026-01-01T00:00:05.000Z",
      },
    );
    deepEqual(
      { ...db.prepare("SELECT start_time, end_time FROM task_runs").get() },
      { start_time: "2026-01-01T00:00:02.000Z", end_time: null },
    );
    const history = db.prepare("SELECT version FROM task_run_states").all();
    ok(history.length === 1 && history[0].version === 2);
  } finally {
    db.close();
  }
});
