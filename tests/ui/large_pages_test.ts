/**
 * Web pages stay small however much a run logged: log lines come a page at
 * a time, each message clipped, with a page for a whole line.
 *
 * @module
 */

import { equal, ok } from "node:assert/strict";
import { api, assertIncludes, seedRuns, ui } from "./_helpers.ts";
import { ADMIN_TOKEN } from "../_helpers/admin_token.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

const LINES = 500;
const LINE_CHARS = 100_000;
const MIB = 1024 * 1024;

/** The links of a page whose text contains `text`. */
function hrefOf(page: string, text: string): string {
  const match = new RegExp(`<a href="([^"]+)">${text}</a>`).exec(page);
  if (!match) throw new Error(`No link "${text}" on the page`);
  return match[1].replaceAll("&amp;", "&");
}

Deno.test("flowRunPage() and taskRunPage() page log lines and clip long messages, under 1 MiB for 500 lines of 100,000 characters", async (t) => {
  await using server = await startReferenceServer();
  const seeded = await seedRuns(server, "big");
  const auth = { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } };
  // Quotes, escaped to six characters each in HTML, make the worst case
  // for size (and take two bytes each in JSON: five lines a request). The
  // server keeps the first 32 KiB of each, so the mark goes first.
  const message = (i: number) =>
    `mark-${String(i).padStart(4, "0")}-` + `"`.repeat(LINE_CHARS - 10);
  for (let first = 0; first < LINES; first += 5) {
    await api(server, "POST", "/logs", {
      token: seeded.memberToken,
      body: {
        entries: Array.from({ length: 5 }, (_, i) => ({
          flowRunId: seeded.runId,
          taskRunId: seeded.taskRunId,
          level: "INFO",
          message: message(first + i),
        })),
      },
    });
  }
  const runPath = `/ui/big/flow-runs/${seeded.runId}`;

  let newest = "";
  await t.step(
    "the run page shows the newest 50 lines, clipped, in under 1 MiB",
    async () => {
      const page = await ui(server, runPath, auth);
      equal(page.status, 200);
      ok(page.text.length < MIB, `the page is ${page.text.length} characters`);
      equal(page.text.match(/class="message"/g)?.length, 50 + 1);
      // Each stored line is the server's first 32 KiB of the message.
      ok(/… \(32,7\d\d characters\)/.test(page.text), "no clipped line");
      newest = page.text;
    },
  );

  await t.step(
    "a link leads to the older lines, and back to the newest",
    async () => {
      const older = await ui(server, hrefOf(newest, "Older 50 lines"), auth);
      equal(older.status, 200);
      ok(older.text.length < MIB);
      ok(older.text.includes("Newest lines"));
      ok(older.text.includes("Older 50 lines"));
    },
  );

  await t.step("a clipped line links to a page with all of it", async () => {
    const whole = await ui(server, hrefOf(newest, "Whole line"), auth);
    equal(whole.status, 200);
    assertIncludes(whole.text, "mark-0450-");
    assertIncludes(whole.text, "[truncated");
    ok(whole.text.length > 32_768);
  });

  await t.step("the task run page is paged the same way", async () => {
    const page = await ui(
      server,
      `/ui/big/task-runs/${seeded.taskRunId}`,
      auth,
    );
    equal(page.status, 200);
    ok(page.text.length < MIB, `the page is ${page.text.length} characters`);
    ok(page.text.includes("Older 50 lines"));
  });

  await t.step("another tenant's log line is a 404", async () => {
    await seedRuns(server, "other");
    const line = /href="\/ui\/big\/logs\/([^"]+)"/.exec(newest)![1];
    const page = await ui(server, `/ui/other/logs/${line}`, auth);
    equal(page.status, 404);
  });
});
