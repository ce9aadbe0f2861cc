/**
 * The web UI in a real browser: headless Chromium, driven by playwright-core,
 * follows a `client.uiUrl()` link, logs in through the form and reads the
 * flow-run page. Skipped (with a note) where Chromium is not installed.
 *
 * @module
 */

import { deepEqual, equal, match, ok } from "node:assert/strict";
import type { BrowserContext } from "playwright-core";
import { ADMIN_TOKEN } from "../_helpers/admin_token.ts";
import { PASSWORD } from "../_helpers/seed.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";
import {
  chromiumExists,
  horizontalOverflow,
  launchBrowser,
  PHONE,
  TypedClients,
  warnWithoutChromium,
} from "./_browser.ts";

warnWithoutChromium("the web UI browser test");

Deno.test({
  name:
    "web UI in Chromium: a uiUrl() link logs in and shows the flow run's state, timeline, task runs and logs",
  ignore: !chromiumExists,
  // Playwright keeps the browser's pipes and its own timers alive past
  // close() in ways Deno counts as leaks; the test still closes the browser,
  // the server and every client itself.
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const folder = await Deno.makeTempDir({ prefix: "runplane-ui-" });
    const server = await startReferenceServer();
    const clients = new TypedClients(server);
    let context: BrowserContext | undefined;
    try {
      // Provision through the typed client: a tenant, a member who writes,
      // a viewer who looks.
      const admin = clients.client(ADMIN_TOKEN);
      await admin.tenants.create({ slug: "acme", name: "Acme" });
      const writer = await clients.member(admin, "acme", "writer");
      await admin.users.create({
        username: "vera",
        password: PASSWORD,
        tenant: "acme",
        role: "viewer",
      });
      const project = await writer.projects.create({ name: "etl" });
      const flow = await writer.flows.register({
        name: "nightly",
        project: project.id,
      });
      const run = await clients.startRun(
        writer,
        flow.id,
        "nightly-2026-01-02",
      );
      let { version } = run;
      const extract = await writer.taskRuns.getOrCreate({
        flowRunId: run.id,
        taskId: "extract",
        tags: ["io"],
      });
      await writer.taskRuns.setState(extract.id, {
        version: extract.version,
        state: "RUNNING",
      });
      await writer.taskRuns.getOrCreate({
        flowRunId: run.id,
        taskId: "load",
        mapIndex: 3,
      });
      await writer.logs.write([
        { flowRunId: run.id, level: "INFO", message: "Run started" },
        {
          flowRunId: run.id,
          taskRunId: extract.id,
          level: "WARNING",
          message: "Source <slow> & retrying",
        },
      ]);
      ({ version } = await writer.flowRuns.setState(run.id, {
        version,
        state: { type: "FAILED", message: "Task load failed" },
      }));
      const target = writer.uiUrl("flow-run", run.id);
      equal(
        target,
        new URL(`/ui/acme/flow-runs/${run.id}`, server.url).href,
      );

      context = await launchBrowser(folder);
      const page = context.pages()[0] ?? await context.newPage();

      // Logged out: the link lands on the login form, remembering the run.
      await page.goto(target);
      const login = new URL(page.url());
      equal(login.pathname, "/ui/login");
      equal(login.searchParams.get("next"), `/ui/acme/flow-runs/${run.id}`);
      await page.fill('input[name="username"]', "vera");
      await page.fill('input[name="password"]', PASSWORD);
      await Promise.all([
        page.waitForURL(target),
        page.click('button[type="submit"]'),
      ]);

      // The run page.
      equal(page.url(), target);
      equal((await page.locator("h1 .badge").innerText()).trim(), "FAILED");
      equal(
        (await page.locator("h1 .name").innerText()).trim(),
        "nightly-2026-01-02",
      );
      const timeline = await page.locator("ol.timeline li").allInnerTexts();
      deepEqual(
        timeline.map((entry) => entry.trim().split(/\s+/)[0]),
        ["SCHEDULED", "PENDING", "RUNNING", "FAILED"],
      );
      match(timeline[2], /Picked up by agent-7/);
      match(timeline[3], /Task load failed/);
      match(timeline[0], /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);

      const extractRow = page.locator("table.task-runs tbody tr", {
        hasText: "extract",
      });
      const cells = (await extractRow.locator("td").allInnerTexts()).map((
        cell,
      ) => cell.trim());
      // An unmapped task (map index -1) shows a dash.
      deepEqual(cells.slice(0, 4), ["extract", "—", "io", "RUNNING"]);
      const loadRow = page.locator("table.task-runs tbody tr", {
        hasText: "load",
      });
      equal((await loadRow.locator("td").nth(1).innerText()).trim(), "3");

      // The timeline picture: one bar per started task run, by state.
      deepEqual(
        await page.locator("svg.gantt rect").evaluateAll((bars) =>
          bars.map((bar) =>
            (bar as unknown as { getAttribute(name: string): string })
              .getAttribute("data-state")
          )
        ),
        ["RUNNING"],
      );

      const logRows = await page.locator("table.logs tbody tr")
        .allInnerTexts();
      equal(logRows.length, 2);
      match(logRows[0], /INFO\s+Run started/);
      // Escaped in the HTML, so the browser shows the text as written.
      match(logRows[1], /WARNING\s+Source <slow> & retrying/);

      // The badge is coloured by its state's class (red for FAILED).
      const badgeColour = await page.locator("h1 .badge").evaluate(
        // Runs in the page; Deno's type library has no DOM, hence the cast.
        (element) =>
          (globalThis as unknown as {
            getComputedStyle(element: unknown): { color: string };
          }).getComputedStyle(element).color,
      );
      equal(badgeColour, "rgb(185, 28, 28)");

      const screenshot = `${folder}/flow-run.png`;
      await page.screenshot({ path: screenshot, fullPage: true });
      const png = await Deno.readFile(screenshot);
      ok(png.length > 10_000, `screenshot is ${png.length} bytes`);
      deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);

      // The task-run link leads to its page, with a link back.
      await Promise.all([
        page.waitForURL(/\/ui\/acme\/task-runs\//),
        extractRow.locator("a").click(),
      ]);
      equal((await page.locator("h1 .name").innerText()).trim(), "extract");
      ok(
        await page.locator(`a[href="/ui/acme/flow-runs/${run.id}"]`).count() >
          0,
      );

      // The runs list filters by state through its form, at a phone's width.
      await page.setViewportSize(PHONE);
      await page.goto(new URL("/ui/acme/flow-runs", server.url).href);
      await page.selectOption('form.filters select[name="state"]', "RUNNING");
      await Promise.all([
        page.waitForURL(/state=RUNNING/),
        page.click('form.filters button[type="submit"]'),
      ]);
      equal(
        (await page.locator("p.empty").innerText()).trim(),
        "No flow runs match these filters.",
      );
      await page.selectOption('form.filters select[name="state"]', "FAILED");
      await Promise.all([
        page.waitForURL(/state=FAILED/),
        page.click('form.filters button[type="submit"]'),
      ]);
      const listed = await page.locator("table.flow-runs tbody tr")
        .allInnerTexts();
      equal(listed.length, 1);
      match(listed[0], /nightly-2026-01-02\s+FAILED/);
      for (const path of [target, page.url()]) {
        await page.goto(path);
        // The page itself never scrolls sideways; a wide table scrolls alone.
        const overflow = await horizontalOverflow(page);
        ok(overflow <= 0, `${path} is ${overflow}px wider than a phone`);
      }
      await page.screenshot({ path: `${folder}/flow-runs-phone.png` });
      await page.setViewportSize({ width: 1200, height: 900 });

      // Logging out ends the session: the run page asks for a login again.
      await Promise.all([
        page.waitForURL(/\/ui\/login$/),
        page.click('header button[type="submit"]'),
      ]);
      await page.goto(target);
      equal(new URL(page.url()).pathname, "/ui/login");
    } finally {
      await context?.close();
      await clients.close();
      await server.close();
      await Deno.remove(folder, { recursive: true });
    }
  },
});
