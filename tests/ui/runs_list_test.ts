import { deepEqual, doesNotMatch, match } from "node:assert/strict";
import {
  ADMIN_TOKEN,
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

Deno.test("flowRunsPage() filters by state and flow and pages past the newest 50", async (t) => {
  await using server = await uiTestServer();
  const seeded = await seedTenant(server, "acme", { runName: "seeded-run" });
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

  await t.step("an unknown state is a 400 that names the states", async () => {
    const page = await list("?state=bogus");
    deepEqual(page.status, 400);
    assertIncludes(page.text, "Unknown state filter");
    assertIncludes(page.text, "SUCCESS");
  });
});

Deno.test("flowRunsPage() shows how to make a first run in an empty tenant", async () => {
  await using server = await uiTestServer();
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
  await using server = await uiTestServer();
  const seeded = await seedTenant(server, "acme");
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
  await using server = await uiTestServer();
  const page = await ui(server, "/");
  deepEqual(page.status, 303);
  deepEqual(page.headers.get("location"), "/ui/");
});
