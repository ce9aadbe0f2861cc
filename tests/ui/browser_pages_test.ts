/**
 * Every page of the web view in headless Chromium, at a desktop's and a
 * phone's width: each loads, shows its key content and never scrolls
 * sideways at 390 px; and a member cancels an unfinished run from its page.
 * With `RUNPLANE_UI_SCREENSHOTS=<folder>` the screenshots are kept there, to
 * look at. Skipped (with a note) where Chromium is not installed.
 *
 * @module
 */

import { startReferenceServer } from "../_helpers/reference_server.ts";
import { equal, match, ok } from "node:assert/strict";
import type { BrowserContext, Page } from "playwright-core";
import type { RunplaneServer } from "../../server/mod.ts";
import { ADMIN_TOKEN } from "../_helpers/admin_token.ts";
import { PASSWORD } from "../_helpers/seed.ts";
import {
  chromiumExists,
  DESKTOP,
  horizontalOverflow,
  launchBrowser,
  PHONE,
  TypedClients,
  warnWithoutChromium,
} from "./_browser.ts";

warnWithoutChromium("the web view's page-by-page browser test");

/** What the seeded tenant holds, by the ids the pages are reached by. */
interface Seeded {
  projectId: string;
  flowId: string;
  failedRunId: string;
  runningRunId: string;
  taskRunId: string;
  longLogId: string;
}

/**
 * Provisions, through the typed client, a member `writer` of two tenants:
 * `acme`, with a project, a flow, a failed run (task runs, logs, one line
 * longer than a page shows), a running run and a finished one; and `lab`,
 * with nothing in it.
 */
async function seed(clients: TypedClients): Promise<Seeded> {
  const admin = clients.client(ADMIN_TOKEN);
  await admin.tenants.create({ slug: "acme", name: "Acme Analytics" });
  await admin.tenants.create({ slug: "lab", name: "Lab" });
  const writer = await clients.member(admin, "acme", "writer");
  await admin.users.addMembership({
    username: "writer",
    tenant: "lab",
    role: "member",
  });
  const project = await writer.projects.create({
    name: "churn-model",
    description: "Weekly churn model for the retention team",
  });
  const flow = await writer.flows.register({
    name: "nightly-training-with-a-rather-long-name",
    project: project.id,
  });
  const start = (runName: string) => clients.startRun(writer, flow.id, runName);
  const failed = await start("nightly-2026-01-02");
  const extract = await writer.taskRuns.getOrCreate({
    flowRunId: failed.id,
    taskId: "extract",
    tags: ["io", "warehouse"],
  });
  const running = await writer.taskRuns.setState(extract.id, {
    version: extract.version,
    state: "RUNNING",
  });
  await writer.taskRuns.setState(extract.id, {
    version: running.version,
    state: "SUCCESS",
  });
  for (const mapIndex of [0, 1, 2]) {
    const load = await writer.taskRuns.getOrCreate({
      flowRunId: failed.id,
      taskId: "load",
      mapIndex,
    });
    await writer.taskRuns.setState(load.id, {
      version: load.version,
      state: "RUNNING",
    });
    if (mapIndex === 2) {
      await writer.taskRuns.setState(load.id, {
        version: load.version + 1,
        state: { type: "FAILED", message: "Connection reset by warehouse" },
      });
    }
  }
  await writer.logs.write([
    { flowRunId: failed.id, level: "INFO", message: "Run started" },
    {
      flowRunId: failed.id,
      taskRunId: extract.id,
      level: "WARNING",
      message: "Source <slow> & retrying",
    },
    {
      flowRunId: failed.id,
      level: "ERROR",
      message: `Traceback: ${"frame/without/any/break/".repeat(120)}`,
    },
  ]);
  await writer.flowRuns.setState(failed.id, {
    version: failed.version,
    state: { type: "FAILED", message: "Task load failed" },
  });
  const finished = await start("nightly-2026-01-01");
  await writer.flowRuns.setState(finished.id, {
    version: finished.version,
    state: "SUCCESS",
  });
  const runningRun = await start("nightly-2026-01-03");
  const lines = await writer.logs.list({ flowRunId: failed.id }).toArray();
  const longLine = lines.find((line) => line.level === "ERROR");
  ok(longLine);
  return {
    projectId: project.id,
    flowId: flow.id,
    failedRunId: failed.id,
    runningRunId: runningRun.id,
    taskRunId: extract.id,
    longLogId: longLine.id,
  };
}

const WIDTHS = [["desktop", DESKTOP], ["phone", PHONE]] as const;

/** A page to look at, and what must be on it. */
interface Visit {
  name: string;
  path: string;
  check: (page: Page, width: "desktop" | "phone") => Promise<void>;
}

function visits(seeded: Seeded): Visit[] {
  const text = async (page: Page, selector: string) =>
    (await page.locator(selector).first().innerText()).trim();
  const rows = (page: Page, table: string) =>
    page.locator(`table.${table} tbody tr`).count();
  return [
    {
      name: "tenants",
      path: "/ui/",
      check: async (page) => {
        equal(await rows(page, "tenants"), 2);
        match(await text(page, "table.tenants"), /Acme Analytics/);
      },
    },
    {
      name: "flow-runs",
      path: "/ui/acme/flow-runs",
      check: async (page, width) => {
        equal(await rows(page, "flow-runs"), 3);
        ok(await page.locator("form.filters").count() > 0);
        // A run's name stays on one line, at a phone's width too (a row is
        // a card there, not a table squeezed into 390 px).
        const name = await page.locator("table.flow-runs td a").first()
          .boundingBox();
        ok(name && name.height < 30, `${width}: ${JSON.stringify(name)}`);
      },
    },
    {
      name: "flow-runs-empty",
      path: "/ui/lab/flow-runs",
      check: async (page) => {
        match(await text(page, "main"), /flowRuns\.create|flow\(/);
      },
    },
    {
      name: "flow-run-failed",
      path: `/ui/acme/flow-runs/${seeded.failedRunId}`,
      check: async (page) => {
        equal(await text(page, "h1 .badge"), "FAILED");
        equal(await page.locator("svg.gantt rect").count(), 4);
        // The picture keeps legible labels; at a phone's width it scrolls in
        // its frame rather than shrinking.
        const picture = await page.locator("svg.gantt").boundingBox();
        ok(picture && picture.width >= 500, JSON.stringify(picture));
        equal(await rows(page, "task-runs"), 4);
        equal(await rows(page, "logs"), 3);
      },
    },
    {
      name: "flow-run-running",
      path: `/ui/acme/flow-runs/${seeded.runningRunId}`,
      check: async (page) => {
        equal(await text(page, "h1 .badge"), "RUNNING");
        equal(await text(page, "h1 form.action button"), "Cancel run");
      },
    },
    {
      name: "task-run",
      path: `/ui/acme/task-runs/${seeded.taskRunId}`,
      check: async (page) => {
        equal(await text(page, "h1 .name"), "extract");
        match(await text(page, "dl"), /warehouse/);
        equal(await rows(page, "logs"), 1);
      },
    },
    {
      name: "log-line",
      path: `/ui/acme/logs/${seeded.longLogId}`,
      check: async (page) => {
        match(await text(page, "pre.message"), /^Traceback: frame/);
        // The run by name, in the crumbs and the details.
        match(await text(page, "nav.crumbs"), /nightly-2026-01-02/);
        match(await text(page, "dl"), /nightly-2026-01-02/);
      },
    },
    {
      name: "flow",
      path: `/ui/acme/flows/${seeded.flowId}`,
      check: async (page) => {
        equal(
          await text(page, "h1 .name"),
          "nightly-training-with-a-rather-long-name",
        );
        equal(await rows(page, "flow-runs"), 3);
      },
    },
    {
      name: "project",
      path: `/ui/acme/projects/${seeded.projectId}`,
      check: async (page) => {
        equal(await text(page, "h1 .name"), "churn-model");
        match(await text(page, "dl"), /retention team/);
        equal(await rows(page, "flows"), 1);
      },
    },
  ];
}

/** Logs in through the form as `username`, landing on `/ui/`. */
async function logIn(page: Page, server: RunplaneServer, username: string) {
  await page.goto(new URL("/ui/login", server.url).href);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([
    page.waitForURL(new URL("/ui/", server.url).href),
    page.click('button[type="submit"]'),
  ]);
}

Deno.test({
  name:
    "web view in Chromium: every page shows its content at 1280 px and fits 390 px, and a member cancels a run",
  ignore: !chromiumExists,
  // Playwright keeps the browser's pipes and its own timers alive past
  // close() in ways Deno counts as leaks; the test still closes the browser,
  // the server and every client itself.
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const folder = await Deno.makeTempDir({ prefix: "runplane-ui-" });
    const shots = Deno.env.get("RUNPLANE_UI_SCREENSHOTS") || folder;
    const server = await startReferenceServer();
    const clients = new TypedClients(server);
    let context: BrowserContext | undefined;
    try {
      const seeded = await seed(clients);
      context = await launchBrowser(folder);
      const page = context.pages()[0] ?? await context.newPage();
      const look = async (name: string, width: "desktop" | "phone") => {
        const path = `${shots}/${name}-${width}.png`;
        await page.screenshot({ path, fullPage: true });
        ok((await Deno.stat(path)).size > 5_000, `${path} is blank`);
      };

      const lookAt = (visit: Visit) =>
        t.step(`${visit.name} (${visit.path})`, async () => {
          for (const [width, viewport] of WIDTHS) {
            await page.setViewportSize(viewport);
            const response = await page.goto(
              new URL(visit.path, server.url).href,
            );
            equal(response?.status(), 200, `${visit.path} at ${width} width`);
            await visit.check(page, width);
            const overflow = await horizontalOverflow(page);
            ok(
              overflow <= 0,
              `${visit.path} is ${overflow}px wider than a ${width}`,
            );
            await look(visit.name, width);
          }
        });

      await lookAt({
        name: "login",
        path: "/ui/login",
        check: async (page) => {
          equal(
            await page.locator('form.login input[name="password"]').count(),
            1,
          );
        },
      });
      await logIn(page, server, "writer");
      for (const visit of visits(seeded)) await lookAt(visit);

      await t.step(
        "a member cancels an unfinished run from its page",
        async () => {
          await page.setViewportSize(PHONE);
          const target = new URL(
            `/ui/acme/flow-runs/${seeded.runningRunId}`,
            server.url,
          ).href;
          await page.goto(target);
          equal(await page.locator('meta[http-equiv="refresh"]').count(), 1);
          await Promise.all([
            page.waitForURL(target),
            page.waitForEvent("load"),
            page.click("h1 form.action button"),
          ]);
          equal(
            (await page.locator("h1 .badge").innerText()).trim(),
            "CANCELLED",
          );
          equal(await page.locator("h1 form.action").count(), 0);
          // A finished run's page no longer reloads itself.
          equal(await page.locator('meta[http-equiv="refresh"]').count(), 0);
          const history = await page.locator("ol.timeline li").allInnerTexts();
          match(
            history.at(-1)!,
            /^CANCELLED[\s\S]*Cancelled by writer in the web view/,
          );
          await look("flow-run-cancelled", "phone");
        },
      );
    } finally {
      await context?.close();
      await clients.close();
      await server.close();
      await Deno.remove(folder, { recursive: true });
    }
  },
});
