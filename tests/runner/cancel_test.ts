// deno-lint-ignore-file no-console
import assert from "node:assert/strict";
import {
  AbortError,
  flow,
  getActiveClient,
  getRunContext,
  getRunLogger,
  task,
} from "../../mod.ts";
import type { Client } from "../../client/client.ts";
import { createTenant, rejectsWith } from "../e2e/_helpers.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

/** Waits, in bounded steps, until `check` holds. */
async function until(check: () => boolean | Promise<boolean>, what: string) {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Timed out waiting until ${what}`);
}

/** Resolves when the signal aborts. */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

async function cancel(client: Client, flowRunId: string): Promise<void> {
  const run = await client.flowRuns.get(flowRunId);
  await client.flowRuns.setState(flowRunId, {
    version: run.version,
    state: { type: "CANCELLED", message: "Stopped by the operator" },
  });
}

Deno.test("flow() stops when another client cancels the run, and leaves it CANCELLED", async () => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "member");
  const operator = server.client(
    { username: tenant.username, password: tenant.password },
    { tenant: tenant.slug },
  );
  let flowRunId = "";
  let taskRunId = "";
  let taskSawAbort = false;
  const wait = task("wait", async () => {
    const context = getRunContext()!;
    taskRunId = context.taskRun!.id;
    await aborted(context.signal);
    taskSawAbort = true;
    throw context.signal.reason;
  });
  const long = flow(
    "long",
    { heartbeatIntervalMs: 20 },
    async (_: Record<string, never>, context) => {
      flowRunId = context.flowRun.id;
      await wait();
    },
  );
  const running = long.run({}, { client: tenant.client });
  await until(() => taskRunId !== "", "the task runs");
  await cancel(operator, flowRunId);
  const error = await rejectsWith(running, AbortError);
  assert.match(error.message, /^Flow run long-[0-9a-f]{12} was cancelled$/);
  assert.ok(taskSawAbort, "the task's context signal aborted");
  const run = await tenant.client.flowRuns.get(flowRunId);
  assert.equal(run.state.type, "CANCELLED");
  assert.equal(run.state.message, "Stopped by the operator");
  assert.equal(run.history?.at(-1)?.type, "CANCELLED");
  const taskRun = await tenant.client.taskRuns.get(taskRunId);
  assert.equal(taskRun.state.type, "CANCELLED");
});

Deno.test("flow() aborted by the caller's signal is stored CANCELLED", async () => {
  await using server = await startReferenceServer();
  const { client } = await createTenant(server, "member");
  const controller = new AbortController();
  let flowRunId = "";
  const long = flow("long", async (_: Record<string, never>, context) => {
    flowRunId = context.flowRun.id;
    controller.abort();
    await aborted(context.signal);
  });
  const error = await rejectsWith(
    long.run({}, { client, signal: controller.signal }),
    AbortError,
  );
  assert.match(error.message, /was aborted by its caller$/);
  const run = await client.flowRuns.get(flowRunId);
  assert.equal(run.state.type, "CANCELLED");
});

Deno.test("flow() keeps two users' concurrent runs apart: clients, logs and cancellation", async () => {
  await using server = await startReferenceServer();
  const ada = await createTenant(server, "member");
  const bob = await createTenant(server, "member");
  const bobOperator = server.client(
    { username: bob.username, password: bob.password },
    { tenant: bob.slug },
  );
  const printed: string[] = [];
  const userLog = console.log;
  console.log = (...args: unknown[]) => printed.push(args.join(" "));
  const runIds = new Map<string, string>();
  const step = task("step", async (who: string, i: number) => {
    getRunLogger().info(`${who} task ${i}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
    return getActiveClient();
  });
  const work = flow(
    "work",
    { logPrints: true, heartbeatIntervalMs: 20 },
    async ({ who, steps }: { who: string; steps: number }, context) => {
      runIds.set(who, context.flowRun.id);
      const own = getActiveClient();
      for (let i = 0; i < steps; i++) {
        if (context.signal.aborted) throw context.signal.reason;
        console.log(`${who} print ${i}`);
        assert.equal(await step(who, i), own);
        assert.equal(getRunContext()?.flowRun.id, context.flowRun.id);
      }
      return who;
    },
  );
  try {
    const adaRun = work.run({ who: "ada", steps: 6 }, { client: ada.client });
    const bobRun = work.run({ who: "bob", steps: 1000 }, {
      client: bob.client,
    });
    await until(() => runIds.size === 2, "both runs started");
    await until(
      () => printed.filter((line) => line.startsWith("bob")).length >= 3,
      "bob's run printed",
    );
    await cancel(bobOperator, runIds.get("bob")!);
    const [adaResult, bobResult] = await Promise.allSettled([adaRun, bobRun]);
    assert.deepEqual(adaResult, { status: "fulfilled", value: "ada" });
    assert.equal(bobResult.status, "rejected");
    assert.ok(bobResult.reason instanceof AbortError);
  } finally {
    assert.notEqual(console.log, userLog, "captured while runs were active");
    console.log = userLog;
  }

  const adaLines = await ada.client.logs.list({
    flowRunId: runIds.get("ada")!,
  }).toArray();
  assert.deepEqual(
    adaLines.map((line) => line.message),
    Array.from({ length: 6 }, (_, i) => [`ada print ${i}`, `ada task ${i}`])
      .flat(),
  );
  const bobLines = await bob.client.logs.list({
    flowRunId: runIds.get("bob")!,
  }).toArray();
  assert.ok(bobLines.length >= 6);
  assert.ok(bobLines.every((line) => line.message.startsWith("bob ")));
  assert.equal(
    (await ada.client.flowRuns.get(runIds.get("ada")!)).state.type,
    "SUCCESS",
  );
  assert.equal(
    (await bob.client.flowRuns.get(runIds.get("bob")!)).state.type,
    "CANCELLED",
  );
  // Every print still reached the console: nothing is swallowed.
  assert.equal(printed.filter((line) => line.startsWith("ada")).length, 6);
});

Deno.test("flow() with logPrints restores the console when no run is active", async () => {
  await using server = await startReferenceServer();
  const { client } = await createTenant(server, "member");
  const before = console.info;
  const quiet = flow("quiet", { logPrints: true }, () => {
    assert.notEqual(console.info, before);
  });
  await quiet.run({}, { client });
  assert.equal(console.info, before);
});
