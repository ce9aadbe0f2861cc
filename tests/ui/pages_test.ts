/**
 * The web view's pages over HTTP: the runs list (filters, paging, empty
 * state), a run's page (timeline picture, state durations, log level filter,
 * live reload, cancel) and the redirect from `/`.
 *
 * @module
 */

import { deepEqual, doesNotMatch, match } from "node:assert/strict";
import { api, assertIncludes, basicAuth, seedRuns, ui } from "./_helpers.ts";
import { ADMIN_TOKEN } from "../_helpers/admin_token.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

const viewer = basicAuth("viewer-acme");

Deno.test("flowRunPage() draws the task runs over time, coloured by state", async (t) => {
  await using server = await startReferenceServer();
  const seeded = await seedRuns(server, "acme");
  const token = seeded.memberToken;
  const path = `/ui/acme/flow-runs/${seeded.runId}`;

  await t.step("no picture before a task run starts", async () => {
    const page = await ui(server, path, { headers: viewer });
    assertIncludes(page.text, "No task run has started.");
  });

  const taskRun = await api(server, "GET", `/task-runs/${seeded.taskRunId}`, {
    token,
  });
  await api(server, "POST", `/task-runs/${seeded.taskRunId}/state`, {
    body: { version: taskRun.version, state: "RUNNING" },
    token,
  });

  await t.step(
    "a running task run is a blue bar linking to its page",
    async () => {
      const page = await ui(server, path, { headers: viewer });
      match(page.text, /<svg class="gantt"/);
      match(
        page.text,
        new RegExp(
          `<a\\s+href="/ui/acme/task-runs/${seeded.taskRunId}"><text[^>]*>extract</text><rect [^>]*fill="#2563eb" data-state="RUNNING"`,
        ),
      );
    },
  );
});

Deno.test("flowRunPage() shows how long the run stayed in each state", async () => {
  await using server = await startReferenceServer();
  const seeded = await seedRuns(server, "acme");
  const page = await ui(server, `/ui/acme/flow-runs/${seeded.runId}`, {
    headers: viewer,
  });
  const items = page.text.match(/<ol class="timeline">[\s\S]*?<\/ol>/)?.[0] ??
    "";
  // SCHEDULED and PENDING lasted until the next state; RUNNING lasts so far.
  deepEqual(items.match(/class="stayed"/g)?.length, 3);
  match(items, /for <span class="duration">\d+(\.\d)? m?s<\/span> so far/);
});

Deno.test("flowRunPage() reloads itself only while the run is unfinished", async () => {
  await using server = await startReferenceServer();
  const seeded = await seedRuns(server, "acme");
  const path = `/ui/acme/flow-runs/${seeded.runId}`;
  const running = await ui(server, path, { headers: viewer });
  assertIncludes(running.text, '<meta http-equiv="refresh" content="5">');
  // A reload is no script: the Content-Security-Policy stays as it was.
  match(
    running.headers.get("content-security-policy") ?? "",
    /default-src 'none'/,
  );
  doesNotMatch(running.text, /<script/);

  const run = await api(server, "GET", `/flow-runs/${seeded.runId}`, {
    token: seeded.memberToken,
  });
  await api(server, "POST", `/flow-runs/${seeded.runId}/state`, {
    body: { version: run.version, state: "SUCCESS" },
    token: seeded.memberToken,
  });
  const done = await ui(server, path, { headers: viewer });
  doesNotMatch(done.text, /http-equiv="refresh"/);
});

Deno.test("flowRunPage() filters log lines by level and above", async (t) => {
  await using server = await startReferenceServer();
  const seeded = await seedRuns(server, "acme", {
    logMessage: "Warned line",
  });
  const path = `/ui/acme/flow-runs/${seeded.runId}`;

  await t.step("every level by default", async () => {
    const page = await ui(server, path, { headers: viewer });
    assertIncludes(page.text, "First line");
    assertIncludes(page.text, "Warned line");
  });

  await t.step("warning and above, in any case", async () => {
    const page = await ui(server, `${path}?level=warning`, { headers: viewer });
    doesNotMatch(page.text, /First line/);
    assertIncludes(page.text, "Warned line");
    match(page.text, /<option value="WARNING"\s+selected>/);
  });

  await t.step("an unknown level is a 400 that names the levels", async () => {
    const page = await ui(server, `${path}?level=loud`, { headers: viewer });
    deepEqual(page.status, 400);
    assertIncludes(page.text, "Unknown log level filter");
    assertIncludes(page.text, "CRITICAL");
  });
});

Deno.test("cancelFlowRun() lets a member cancel an unfinished run from its page", async (t) => {
  await using server = await startReferenceServer();
  const seeded = await seedRuns(server, "acme");
  const path = `/ui/acme/flow-runs/${seeded.runId}`;
  const member = basicAuth("member-acme");
  const cancel = (headers: Record<string, string>) =>
    ui(server, `${path}/cancel`, { method: "POST", headers });
  const state = async () =>
    (await api(server, "GET", `/flow-runs/${seeded.runId}`, {
      token: seeded.memberToken,
    })).state.type;

  await t.step("a member sees the button, a viewer does not", async () => {
    assertIncludes(
      (await ui(server, path, { headers: member })).text,
      `action="${path}/cancel"`,
    );
    doesNotMatch((await ui(server, path, { headers: viewer })).text, /cancel"/);
  });

  await t.step("another site's form is refused", async () => {
    const page = await cancel({ ...member, origin: "https://evil.example" });
    deepEqual(page.status, 403);
    deepEqual(await state(), "RUNNING");
  });

  await t.step("a viewer is refused", async () => {
    const page = await cancel({ ...viewer, origin: server.url.origin });
    deepEqual(page.status, 403);
    deepEqual(await state(), "RUNNING");
  });

  await t.step(
    "a member's cancel lands back on the cancelled run",
    async () => {
      const page = await cancel({ ...member, origin: server.url.origin });
      deepEqual(page.status, 303);
      deepEqual(page.headers.get("location"), path);
      deepEqual(await state(), "CANCELLED");
      const after = await ui(server, path, { headers: member });
      assertIncludes(after.text, "in the web view");
      doesNotMatch(after.text, /Cancel run/);
    },
  );
});

Deno.test("flowRunsPage() filters by state, flow and day range and pages past the newest 50", async (t) => {
  await using server = await startReferenceServer();
  const seeded = await seedRuns(server, "acme", { runName: "seeded-run" });
  const token = seeded.memberToken;
  for (let i = 0; i < 50; i++) {
    await api(server, "POST", "/flow-runs", {
      body: { flowId: seeded.flowId, name: `bulk-${i}` },
      token,
    });
  }
  const list = (query: string) =>
    ui(server, `/ui/acme/flow-runs${query}`, { headers: viewer });

  await t.step(
    "the first page has 50 runs and a link to the older ones",
    async () => {
      const page = await list("");
      deepEqual(page.status, 200);
      assertIncludes(page.text, "bulk-49");
      doesNotMatch(page.text, /seeded-run/);
      assertIncludes(page.text, "<th>Started</th>");
      assertIncludes(page.text, "<th>Duration</th>");
      const older = page.text.match(/href="([^"]*cursor=[^"]*)"/);
      match(older?.[1] ?? "", /^\/ui\/acme\/flow-runs\?cursor=/);
      const next = await ui(server, older![1].replaceAll("&amp;", "&"), {
        headers: viewer,
      });
      assertIncludes(next.text, "seeded-run");
      doesNotMatch(next.text, /bulk-49/);
      doesNotMatch(next.text, /cursor=/);
    },
  );

  await t.step("state filters in any case, and a form keeps it", async () => {
    const running = await list("?state=running");
    assertIncludes(running.text, "seeded-run");
    doesNotMatch(running.text, /bulk-0/);
    assertIncludes(running.text, "<option selected>RUNNING</option>");
    const failed = await list("?state=FAILED");
    doesNotMatch(failed.text, /seeded-run|bulk-0/);
    assertIncludes(failed.text, "No flow runs match these filters.");
  });

  await t.step("flow filters by flow id", async () => {
    const other = await list("?flow=no-such-flow");
    doesNotMatch(other.text, /seeded-run|bulk-0/);
    const own = await list(`?flow=${seeded.flowId}&state=RUNNING`);
    assertIncludes(own.text, "seeded-run");
  });

  await t.step("a day range filters by creation day (UTC)", async () => {
    // A day either side, so a run made just before midnight still counts.
    const day = (offset: number) =>
      new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const inRange = await list(`?from=${day(-1)}&to=${day(1)}`);
    assertIncludes(inRange.text, "bulk-49");
    assertIncludes(inRange.text, `name="from" value="${day(-1)}"`);
    const past = await list("?from=2001-01-01&to=2001-01-02");
    doesNotMatch(past.text, /seeded-run|bulk-0/);
    assertIncludes(past.text, "No flow runs match these filters.");
    const future = await list("?from=2999-01-01");
    doesNotMatch(future.text, /bulk-49/);
    const bad = await list("?to=yesterday");
    deepEqual(bad.status, 400);
    assertIncludes(bad.text, "Filter to must be a day such as 2026-11-29");
  });

  await t.step("an unknown state is a 400 that names the states", async () => {
    const page = await list("?state=bogus");
    deepEqual(page.status, 400);
    assertIncludes(page.text, "Unknown state filter");
    assertIncludes(page.text, "SUCCESS");
  });
});

Deno.test("flowRunsPage() shows how to make a first run in an empty tenant", async () => {
  await using server = await startReferenceServer();
  await api(server, "POST", "/tenants", {
    body: { slug: "empty", name: "Empty" },
  });
  const page = await ui(server, "/ui/empty/flow-runs", {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  deepEqual(page.status, 200);
  assertIncludes(page.text, "No flow runs yet");
  assertIncludes(page.text, "hello.run({}, { client })");
});

Deno.test("taskRunPage() shows an unmapped task's map index as a dash", async () => {
  await using server = await startReferenceServer();
  const seeded = await seedRuns(server, "acme");
  for (
    const path of [
      `/ui/acme/task-runs/${seeded.taskRunId}`,
      `/ui/acme/flow-runs/${seeded.runId}`,
    ]
  ) {
    const page = await ui(server, path, { headers: viewer });
    doesNotMatch(page.text, />-1</);
    assertIncludes(page.text, '<span class="muted">—</span>');
  }
});

Deno.test("GET / redirects to the web view", async () => {
  await using server = await startReferenceServer();
  const page = await ui(server, "/");
  deepEqual(page.status, 303);
  deepEqual(page.headers.get("location"), "/ui/");
});
