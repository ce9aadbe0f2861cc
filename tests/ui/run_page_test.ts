import { deepEqual, doesNotMatch, match } from "node:assert/strict";
import {
  api,
  assertIncludes,
  PASSWORD,
  seedTenant,
  ui,
  uiTestServer,
} from "./_helpers.ts";

const viewer = {
  authorization: `Basic ${btoa(`viewer-acme:${PASSWORD}`)}`,
};

Deno.test("flowRunPage() draws the task runs over time, coloured by state", async (t) => {
  await using server = await uiTestServer();
  const seeded = await seedTenant(server, "acme");
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
  await using server = await uiTestServer();
  const seeded = await seedTenant(server, "acme");
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
  await using server = await uiTestServer();
  const seeded = await seedTenant(server, "acme");
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
  await using server = await uiTestServer();
  const seeded = await seedTenant(server, "acme", {
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
  await using server = await uiTestServer();
  const seeded = await seedTenant(server, "acme");
  const path = `/ui/acme/flow-runs/${seeded.runId}`;
  const member = {
    authorization: `Basic ${btoa(`member-acme:${PASSWORD}`)}`,
  };
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
