import { flow, task } from "../mod.ts";
import { fixed, type Row } from "./_row.ts";
import type { BenchServer } from "./_bench_server.ts";

const TASKS = 200;
const ROUNDS = 7;

/**
 * The runner's cost per task: a no-op task called inside a running flow
 * (get-or-create its task run, `RUNNING`, `SUCCESS`) against the same three
 * API calls made by hand, alternating in rounds against the reference
 * server; the median round of each.
 */
export async function runnerOverhead(server: BenchServer): Promise<Row[]> {
  const { client } = server;
  const bare = await client.flowRuns.create({ flowId: server.flowId });
  const noop = task("noop", () => {});
  let bareIndex = 0;
  const runnerTimes: number[] = [];
  const bareTimes: number[] = [];
  const measure = flow("runner-overhead", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      let started = performance.now();
      for (let i = 0; i < TASKS; i++) await noop();
      runnerTimes.push((performance.now() - started) / TASKS);
      started = performance.now();
      for (let i = 0; i < TASKS; i++) {
        const taskRun = await client.taskRuns.getOrCreate({
          flowRunId: bare.id,
          taskId: "noop",
          mapIndex: bareIndex++,
        });
        const running = await client.taskRuns.setState(taskRun.id, {
          version: taskRun.version,
          state: "RUNNING",
        });
        await client.taskRuns.setState(taskRun.id, {
          version: running.version,
          state: "SUCCESS",
        });
      }
      bareTimes.push((performance.now() - started) / TASKS);
    }
  });
  await measure.run({}, { client });
  const runner = median(runnerTimes);
  const calls = median(bareTimes);
  const ratio = runner / calls;
  return [
    {
      name: "Runner: no-op task inside a flow (3 API calls)",
      figure: `${fixed(runner * 1000, 0)} us/task`,
      goal: "(no goal)",
    },
    {
      name: "Runner: the same 3 API calls by hand",
      figure: `${fixed(calls * 1000, 0)} us/task`,
      goal: "(no goal)",
    },
    {
      name: "Runner overhead per no-op task (wall time vs bare calls)",
      figure: `${fixed(ratio)}x`,
      goal: "<= 1.10x",
      met: ratio <= 1.10,
    },
  ];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
