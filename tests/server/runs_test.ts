import { deepEqual, equal, notEqual, ok } from "node:assert/strict";
import { call, createFlowRun } from "./_helpers.ts";
import { seedTenant } from "../_helpers/seed.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

Deno.test("server versions flows and runs flow and task runs", async (t) => {
  await using server = await startReferenceServer();
  const acme = await seedTenant(server, "acme");
  const token = acme.tokens.member;
  const project = await call(server, "POST", "/projects", {
    token,
    body: { name: "analytics", description: "numbers" },
  });

  await t.step(
    "registering a name again makes the next version and archives the old",
    async () => {
      const v1 = await call(server, "POST", "/flows", {
        token,
        body: { name: "etl", projectId: project.body.id, definition: { a: 1 } },
      });
      equal(v1.status, 201);
      equal(v1.body.version, 1);
      const v2 = await call(server, "POST", "/flows", {
        token,
        body: {
          name: "etl",
          projectId: project.body.id,
          setScheduleActive: false,
        },
      });
      equal(v2.body.version, 2);
      equal(v2.body.versionGroupId, v1.body.versionGroupId);
      equal(v2.body.scheduleActive, false);
      const old = await call(server, "GET", `/flows/${v1.body.id}`, { token });
      equal(old.body.archived, true);
      const byGroup = await call(server, "POST", "/flow-runs", {
        token,
        body: { versionGroupId: v1.body.versionGroupId },
      });
      equal(byGroup.status, 201);
      equal(byGroup.body.flowId, v2.body.id);

      const ownGroup = await call(server, "POST", "/flows", {
        token,
        body: {
          name: "report",
          projectId: project.body.id,
          versionGroupId: "group-report",
        },
      });
      equal(ownGroup.body.versionGroupId, "group-report");
      const stolenGroup = await call(server, "POST", "/flows", {
        token,
        body: {
          name: "other",
          projectId: project.body.id,
          versionGroupId: "group-report",
        },
      });
      equal(stolenGroup.status, 409);
      const listed = await call(
        server,
        "GET",
        `/flows?projectId=${project.body.id}`,
        { token },
      );
      equal(listed.body.items.length, 3);
      const archived = await call(
        server,
        "POST",
        `/flows/${ownGroup.body.id}/archive`,
        { token },
      );
      equal(archived.body.archived, true);
      const noUnarchived = await call(server, "POST", "/flow-runs", {
        token,
        body: { versionGroupId: "group-report" },
      });
      equal(noUnarchived.status, 404);
    },
  );

  await t.step(
    "a flow-run idempotencyKey returns the same run; other values are a 409",
    async () => {
      const { flowId } = await createFlowRun(server, acme);
      const body = {
        flowId,
        idempotencyKey: "nightly-2026-11-22",
        parameters: { a: 1, b: [1, 2] },
      };
      const first = await call(server, "POST", "/flow-runs", { token, body });
      equal(first.status, 201);
      const again = await call(server, "POST", "/flow-runs", {
        token,
        body: { ...body, parameters: { b: [1, 2], a: 1 } },
      });
      equal(again.status, 200);
      equal(again.body.id, first.body.id);
      const other = await call(server, "POST", "/flow-runs", {
        token,
        body: { ...body, parameters: { a: 2 } },
      });
      equal(other.status, 409);
      const otherTenant = await seedTenant(server, "globex");
      const { flowId: globexFlow } = await createFlowRun(server, otherTenant);
      const sameKeyElsewhere = await call(server, "POST", "/flow-runs", {
        token: otherTenant.tokens.member,
        body: { ...body, flowId: globexFlow },
      });
      equal(sameKeyElsewhere.status, 201);
    },
  );

  await t.step(
    "state changes check the version and refuse to leave a terminal state",
    async () => {
      const { flowRunId } = await createFlowRun(server, acme);
      const path = `/flow-runs/${flowRunId}/state`;
      const running = await call(server, "POST", path, {
        token,
        body: { version: 1, state: { type: "RUNNING", message: "go" } },
      });
      equal(running.status, 200);
      equal(running.body.version, 2);
      equal(running.body.state.type, "RUNNING");
      const alive = await call(
        server,
        "POST",
        `/flow-runs/${flowRunId}/heartbeat`,
        { token },
      );
      equal(alive.status, 204);
      const stale = await call(server, "POST", path, {
        token,
        body: { version: 1, state: "FAILED" },
      });
      equal(stale.status, 409);
      equal(stale.body.error.code, "stale_version");
      const done = await call(server, "POST", path, {
        token,
        body: { version: 2, state: { type: "SUCCESS", result: { rows: 3 } } },
      });
      equal(done.body.version, 3);
      const leave = await call(server, "POST", path, {
        token,
        body: { version: 3, state: "RUNNING" },
      });
      equal(leave.status, 409);
      equal(leave.body.error.code, "invalid_transition");
      const run = await call(server, "GET", `/flow-runs/${flowRunId}`, {
        token,
      });
      deepEqual(run.body.history.map((s: { type: string }) => s.type), [
        "SCHEDULED",
        "RUNNING",
        "SUCCESS",
      ]);
      deepEqual(run.body.state.result, { rows: 3 });
      // A finished run takes no heartbeats: a worker still sending them has
      // lost track of it, and must hear so.
      const heartbeat = await call(
        server,
        "POST",
        `/flow-runs/${flowRunId}/heartbeat`,
        { token },
      );
      equal(heartbeat.status, 409);
      equal(heartbeat.body.error.code, "invalid_transition");
      const after = await call(server, "GET", `/flow-runs/${flowRunId}`, {
        token,
      });
      equal(after.body.heartbeatAt, run.body.heartbeatAt);
    },
  );

  await t.step(
    "a run's history lists every state in version order, flow or task run",
    async () => {
      const { flowRunId } = await createFlowRun(server, acme);
      const task = await call(server, "POST", "/task-runs", {
        token,
        body: { flowRunId, taskId: "history" },
      });
      const steps = Array.from({ length: 40 }, (_, i) => `step ${i}`);
      for (
        const path of [`/flow-runs/${flowRunId}`, `/task-runs/${task.body.id}`]
      ) {
        let version = 1;
        for (const message of steps) {
          const changed = await call(server, "POST", `${path}/state`, {
            token,
            body: { version, state: { type: "RUNNING", message } },
          });
          equal(changed.status, 200);
          version = changed.body.version;
        }
        const { body } = await call(server, "GET", path, { token });
        deepEqual(
          body.history.slice(1).map((s: { message: string }) => s.message),
          steps,
        );
        equal(body.history.length, version);
      }
    },
  );

  await t.step("a finished task run takes no heartbeats", async () => {
    const { flowRunId } = await createFlowRun(server, acme);
    const task = await call(server, "POST", "/task-runs", {
      token,
      body: { flowRunId, taskId: "load" },
    });
    const path = `/task-runs/${task.body.id}`;
    equal(
      (await call(server, "POST", `${path}/heartbeat`, { token })).status,
      204,
    );
    const failed = await call(server, "POST", `${path}/state`, {
      token,
      body: { version: 1, state: "FAILED" },
    });
    equal(failed.status, 200);
    const late = await call(server, "POST", `${path}/heartbeat`, { token });
    equal(late.status, 409);
    equal(late.body.error.code, "invalid_transition");
  });

  await t.step(
    "50 concurrent starts under a tag limit of 3: exactly 3 run",
    async () => {
      const { flowRunId } = await createFlowRun(server, acme);
      const limit = await call(server, "PUT", "/concurrency-limits/gpu", {
        token: acme.tokens.admin,
        body: { limit: 3 },
      });
      deepEqual({ ...limit.body, id: undefined }, {
        id: undefined,
        tag: "gpu",
        limit: 3,
        active: 0,
      });
      const taskRuns = await Promise.all(
        Array.from(
          { length: 50 },
          (_, i) =>
            call(server, "POST", "/task-runs", {
              token,
              body: { flowRunId, taskId: "train", mapIndex: i, tags: ["gpu"] },
            }),
        ),
      );
      const answers = await Promise.all(
        taskRuns.map((taskRun) =>
          call(server, "POST", `/task-runs/${taskRun.body.id}/state`, {
            token,
            body: { version: 1, state: "RUNNING" },
          })
        ),
      );
      const types = answers.map((a) => a.body.state.type);
      equal(types.filter((type) => type === "RUNNING").length, 3);
      equal(types.filter((type) => type === "QUEUED").length, 47);
      ok(answers.every((a) => a.status === 200));
      ok(
        answers.filter((a) => a.body.state.type === "QUEUED").every((a) =>
          a.body.retryAfterMs > 0
        ),
      );
      const active = await call(server, "GET", "/concurrency-limits/gpu", {
        token,
      });
      equal(active.body.active, 3);
      const deleted = await call(
        server,
        "DELETE",
        `/concurrency-limits/${limit.body.id}`,
        { token: acme.tokens.admin },
      );
      equal(deleted.status, 204);
    },
  );

  await t.step(
    "task runs are unique per (flow run, task, map index) and cache states",
    async () => {
      const { flowRunId } = await createFlowRun(server, acme);
      const first = await call(server, "POST", "/task-runs", {
        token,
        body: { flowRunId, taskId: "load" },
      });
      equal(first.status, 201);
      equal(first.body.mapIndex, -1);
      equal(first.body.state.type, "PENDING");
      const same = await call(server, "POST", "/task-runs", {
        token,
        body: { flowRunId, taskId: "load" },
      });
      equal(same.status, 200);
      equal(same.body.id, first.body.id);
      const cached = await call(
        server,
        "POST",
        `/task-runs/${first.body.id}/state`,
        {
          token,
          body: {
            version: 1,
            state: { type: "CACHED", cacheKey: "load-v1", result: 42 },
            cacheFor: 60_000,
          },
        },
      );
      equal(cached.status, 200);
      const found = await call(
        server,
        "GET",
        "/cached-states?cacheKey=load-v1",
        {
          token,
        },
      );
      equal(found.body.items.length, 1);
      equal(found.body.items[0].result, 42);
      const after = await call(
        server,
        "GET",
        `/cached-states?cacheKey=load-v1&createdAfter=${
          encodeURIComponent(new Date(Date.now() + 1000).toISOString())
        }`,
        { token },
      );
      deepEqual(after.body.items, []);
    },
  );

  await t.step(
    "flow-run and log pages are stable under concurrent inserts",
    async () => {
      const { flowId, flowRunId } = await createFlowRun(server, acme);
      for (let i = 0; i < 4; i++) {
        await call(server, "POST", "/flow-runs", { token, body: { flowId } });
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor === null ? "" : `&cursor=${cursor}`;
        const page = await call(
          server,
          "GET",
          `/flow-runs?flowId=${flowId}&limit=2${query}`,
          { token },
        );
        equal(page.status, 200);
        seen.push(...page.body.items.map((x: { id: string }) => x.id));
        cursor = page.body.nextCursor;
        // New runs arrive while paging; they sort first and never shift pages.
        await call(server, "POST", "/flow-runs", { token, body: { flowId } });
      } while (cursor !== null);
      equal(seen.length, 5);
      equal(new Set(seen).size, 5);

      const entries = Array.from({ length: 7 }, (_, i) => ({
        flowRunId,
        level: i % 2 ? "info" : "ERROR",
        message: `line ${i}`,
      }));
      const written = await call(server, "POST", "/logs", {
        token,
        body: { entries, dropped: 2 },
      });
      deepEqual(written.body, { written: 7 });
      const first = await call(
        server,
        "GET",
        `/logs?flowRunId=${flowRunId}&limit=5`,
        { token },
      );
      deepEqual(
        first.body.items.map((x: { message: string }) => x.message),
        ["line 0", "line 1", "line 2", "line 3", "line 4"],
      );
      equal(first.body.items[1].level, "INFO");
      notEqual(first.body.nextCursor, null);
      const second = await call(
        server,
        "GET",
        `/logs?flowRunId=${flowRunId}&limit=5&cursor=${first.body.nextCursor}`,
        { token },
      );
      deepEqual(
        second.body.items.map((x: { message: string }) => x.message),
        ["line 5", "line 6"],
      );
      equal(second.body.nextCursor, null);
    },
  );

  await t.step("agents register and send heartbeats", async () => {
    const agent = await call(server, "POST", "/agents", {
      token,
      body: { type: "docker", name: "a1", labels: { zone: "eu" } },
    });
    equal(agent.status, 201);
    deepEqual(agent.body.labels, { zone: "eu" });
    const beat = await call(
      server,
      "POST",
      `/agents/${agent.body.id}/heartbeat`,
      { token },
    );
    equal(beat.status, 204);
  });

  await t.step("deleting a project removes its flows and runs", async () => {
    const run = await createFlowRun(server, acme);
    const deleted = await call(server, "DELETE", `/projects/${run.projectId}`, {
      token,
    });
    equal(deleted.status, 204);
    const gone = await call(server, "GET", `/flow-runs/${run.flowRunId}`, {
      token,
    });
    equal(gone.status, 404);
  });
});
