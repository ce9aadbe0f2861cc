import assert from "node:assert/strict";
import { RunplaneError } from "../../errors.ts";
import { createWorkspace, makeClient } from "./_helpers.ts";
import { spawnReferenceServer } from "../_helpers/reference_server.ts";

const WRITERS = 8;
/** Kill once this many writes were acknowledged, so the kill lands mid-load. */
const KILL_AFTER_ACKS = 400;

Deno.test("a server killed with SIGKILL mid-load keeps every acknowledged write", async () => {
  const folder = await Deno.makeTempDir({ prefix: "runplane_kill9_" });
  try {
    const databasePath = `${folder}/runplane.db`;
    const first = await spawnReferenceServer({ database: databasePath });
    let workspace;
    const runs = new Map<string, number>();
    const logs = new Map<string, Set<string>>();
    const errors = new Map<string, number>();
    let acks = 0;
    let killed: Promise<Deno.CommandStatus> | undefined;
    try {
      workspace = await createWorkspace(first.url);
      const { token, flowId } = workspace;
      // No retries: once the server is gone, every writer stops at its next call.
      await using client = makeClient(first.url, { token }, {
        config: { maxRetries: 0, timeoutMs: 5_000 },
      });
      const writer = async (w: number) => {
        for (let n = 0; n < 100_000; n++) {
          try {
            if (n % 2 === 0) {
              const run = await client.flowRuns.create({
                flowId,
                parameters: { w, n },
              });
              runs.set(run.id, n);
              logs.set(run.id, new Set());
            } else {
              const runId = [...logs.keys()].at(-1 - (w % logs.size))!;
              const message = `writer ${w} line ${n}`;
              await client.logs.write([{
                flowRunId: runId,
                level: "INFO",
                message,
              }]);
              logs.get(runId)!.add(message);
            }
            if (++acks === KILL_AFTER_ACKS) killed = first.kill("SIGKILL");
          } catch (error) {
            assert.ok(error instanceof RunplaneError, String(error));
            errors.set(error.name, (errors.get(error.name) ?? 0) + 1);
            if (killed !== undefined) return;
          }
        }
      };
      // Seed one run so log writers always have a target.
      const seed = await client.flowRuns.create({ flowId });
      runs.set(seed.id, -1);
      logs.set(seed.id, new Set());
      await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
      const status = await killed!;
      assert.equal(status.signal, "SIGKILL");
    } finally {
      await first.kill("SIGKILL");
    }

    await using second = await spawnReferenceServer({ database: databasePath });
    await using direct = makeClient(second.url, { token: workspace.token });
    const stored = new Set<string>();
    for await (
      const run of direct.flowRuns.list({
        flowId: workspace.flowId,
        limit: 500,
      })
    ) {
      stored.add(run.id);
    }
    for (const id of runs.keys()) {
      assert.ok(stored.has(id), `run ${id} is lost`);
    }
    let lines = 0;
    for (const [runId, messages] of logs) {
      if (messages.size === 0) continue;
      const found = new Set<string>();
      for await (const entry of direct.logs.list({ flowRunId: runId })) {
        found.add(entry.message);
      }
      for (const message of messages) {
        assert.ok(found.has(message), `log "${message}" is lost`);
        lines++;
      }
    }
    // deno-lint-ignore no-console
    console.log(
      `kill -9 after ${acks} acknowledged writes (${runs.size} runs, ${lines} log lines), writers then saw ${
        JSON.stringify(Object.fromEntries(errors))
      }; after restart ${stored.size} runs stored, every acknowledged write present`,
    );
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
