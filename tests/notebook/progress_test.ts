/**
 * `showProgress()` as `flowRuns.wait()`'s `onProgress`, against the reference
 * server: one display, redrawn in place after every poll, whose last redraw
 * is finished before `wait()` returns.
 *
 * @module
 */

import { startReferenceServer } from "../_helpers/reference_server.ts";
import assert from "node:assert/strict";
import { type MimeBundle, showProgress } from "../../jupyter/mod.ts";
import { createTenant } from "../e2e/_helpers.ts";

Deno.test("showProgress() redraws one display per poll of flowRuns.wait(), the last before wait() returns", async () => {
  await using server = await startReferenceServer();
  const { client } = await createTenant(server, "admin");
  const project = await client.projects.create({ name: "p" });
  const flow = await client.flows.register({ name: "f", project: project.id });
  const run = await client.flowRuns.create({ flowId: flow.id });

  const shown: { text: string; id: string; update: boolean }[] = [];
  const onProgress = showProgress({
    // A slow display: wait() must await it, or the last redraw comes late.
    display: async (bundle: MimeBundle, { display_id, update }) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      shown.push({ text: bundle["text/plain"], id: display_id, update });
    },
  });
  const finishing = (async () => {
    await new Promise((resolve) => setTimeout(resolve, 30));
    const change = await client.flowRuns.setState(run.id, {
      version: run.version,
      state: "RUNNING",
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await client.flowRuns.setState(run.id, {
      version: change.version,
      state: { type: "FAILED", message: "Task load failed" },
    });
  })();
  const final = await client.flowRuns.wait(run.id, {
    pollIntervalMs: 5,
    maxPollIntervalMs: 10,
    onProgress,
  });
  await finishing;

  assert.equal(final.type, "FAILED");
  assert.ok(shown.length >= 2, JSON.stringify(shown));
  assert.deepEqual(
    shown.map((entry) => entry.update),
    [false, ...shown.slice(1).map(() => true)],
  );
  assert.equal(new Set(shown.map((entry) => entry.id)).size, 1);
  assert.match(shown[0].text, new RegExp(`^${run.name} SCHEDULED$`));
  assert.ok(shown.some((entry) => / RUNNING for \d/.test(entry.text)));
  // The last redraw: the final state, its message, and the run's duration.
  assert.match(
    shown.at(-1)!.text,
    new RegExp(`^${run.name} FAILED for \\d+(\\.\\d)? m?s: Task load failed$`),
  );
});
