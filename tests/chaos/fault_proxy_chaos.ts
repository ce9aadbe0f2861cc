import assert from "node:assert/strict";
import { RunplaneError } from "../../errors.ts";
import type { Client } from "../../client/client.ts";
import type { FlowRun } from "../../api/mod.ts";
import type { RequestLogEvent } from "../../transport/transport.ts";
import {
  createWorkspace,
  FAULT_KINDS,
  makeClient,
  pool,
  startFaultProxy,
} from "./_helpers.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

const RUNS = 1_000;
const CONCURRENCY = 20;
const SEED = 20_261_122;

interface Outcome {
  /** The run each call returned, by its `i`. */
  returned: Map<number, FlowRun>;
  /** The error class names of the calls that threw, by `i`. */
  errors: Map<number, string>;
  /** Every attempt the client logged. */
  attempts: RequestLogEvent[];
}

/**
 * Creates runs `from` to `to - 1` through `endpoint` with parameters `{ i }`
 * and idempotency key `<keys>-<i>`, `CONCURRENCY` at a time.
 */
async function createRuns(
  endpoint: URL,
  token: string,
  flowId: string,
  range: { from: number; to: number; maxRetries: number; keys: string },
): Promise<Outcome> {
  const outcome: Outcome = {
    returned: new Map(),
    errors: new Map(),
    attempts: [],
  };
  await using client = makeClient(endpoint, { token }, {
    config: { maxRetries: range.maxRetries, timeoutMs: 10_000 },
    retryBackoff: { initialDelayMs: 5, maxDelayMs: 40 },
    logger: (event) => outcome.attempts.push(event),
  });
  await pool(range.to - range.from, CONCURRENCY, async (offset) => {
    const i = range.from + offset;
    try {
      outcome.returned.set(
        i,
        await client.flowRuns.create({
          flowId,
          parameters: { i },
          idempotencyKey: `${range.keys}-${i}`,
        }),
      );
    } catch (error) {
      // Typed: a subclass such as ConnectionError or ApiError, never a bare
      // RunplaneError or a runtime TypeError.
      assert.ok(error instanceof RunplaneError, `call ${i} threw ${error}`);
      assert.notEqual(error.constructor, RunplaneError);
      outcome.errors.set(i, error.name);
    }
  });
  return outcome;
}

/**
 * Settles every failed call of `outcome` by repeating it, with the same
 * idempotency key and parameters, through a direct client.
 */
async function settleFailures(
  direct: Client,
  flowId: string,
  outcome: Outcome,
  keys: string,
): Promise<void> {
  for (const i of outcome.errors.keys()) {
    const run = await direct.flowRuns.create({
      flowId,
      parameters: { i },
      idempotencyKey: `${keys}-${i}`,
    });
    outcome.returned.set(i, run);
  }
}

/** Pages through every run of a flow: `i` to the ids of its runs. */
async function runsInServer(
  direct: Client,
  flowId: string,
): Promise<{ listed: number; byI: Map<number, string[]> }> {
  const byI = new Map<number, string[]>();
  let listed = 0;
  for await (const run of direct.flowRuns.list({ flowId, limit: 137 })) {
    listed++;
    const i = (run.parameters as { i: number }).i;
    byI.set(i, [...byI.get(i) ?? [], run.id]);
  }
  return { listed, byI };
}

function countBy(values: Iterable<string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

Deno.test("flowRuns.create() through a 20% fault proxy loses and duplicates no run", async (t) => {
  await using server = await startReferenceServer({ databasePath: ":memory:" });
  const workspace = await createWorkspace(server.url);
  await using direct = makeClient(server.url, { token: workspace.token });
  await using proxy = startFaultProxy({
    target: server.url,
    rate: 0.2,
    seed: SEED,
  });

  await t.step(
    "1,000 runs with retries end as exactly 1,000 runs",
    async () => {
      const outcome = await createRuns(
        proxy.url,
        workspace.token,
        workspace.flowId,
        { from: 0, to: RUNS, maxRetries: 6, keys: "run" },
      );
      const firstFailures = countBy(outcome.errors.values());
      await settleFailures(direct, workspace.flowId, outcome, "run");
      assert.equal(outcome.returned.size, RUNS);
      const { listed, byI } = await runsInServer(direct, workspace.flowId);
      assert.equal(listed, RUNS, "exactly one run per call in the server");
      for (let i = 0; i < RUNS; i++) {
        assert.deepEqual(byI.get(i), [outcome.returned.get(i)!.id], `run ${i}`);
      }
      const retries = outcome.attempts.filter((e) => e.attempt > 1).length;
      const faults = { ...proxy.faults };
      const injected = FAULT_KINDS.reduce((sum, kind) => sum + faults[kind], 0);
      for (const kind of FAULT_KINDS) assert.ok(faults[kind] > 0, kind);
      const share = injected / proxy.requests;
      assert.ok(share > 0.1 && share < 0.3, `fault share ${share}`);
      assert.ok(retries > 0);
      // deno-lint-ignore no-console
      console.log(
        `with retries: ${proxy.requests} requests reached the proxy, faults ${
          JSON.stringify(faults)
        }; ${outcome.attempts.length} client attempts (${retries} retries); failed first ${
          JSON.stringify(firstFailures)
        }; ${listed} runs in the server`,
      );
    },
  );

  await t.step(
    "with no retries, every failed call resolves when repeated",
    async () => {
      const flow = await direct.flows.register({
        name: "no-retries",
        project: (await direct.flows.get(workspace.flowId)).projectId,
      });
      const before = { ...proxy.faults };
      const requestsBefore = proxy.requests;
      const outcome = await createRuns(proxy.url, workspace.token, flow.id, {
        from: 0,
        to: 300,
        maxRetries: 0,
        keys: "once",
      });
      const failures = countBy(outcome.errors.values());
      assert.ok(outcome.errors.size > 0, "some calls fail without retries");
      await settleFailures(direct, flow.id, outcome, "once");
      const { listed, byI } = await runsInServer(direct, flow.id);
      assert.equal(listed, 300);
      for (let i = 0; i < 300; i++) {
        assert.deepEqual(byI.get(i), [outcome.returned.get(i)!.id], `run ${i}`);
      }
      const faults = Object.fromEntries(
        FAULT_KINDS.map((kind) => [kind, proxy.faults[kind] - before[kind]]),
      );
      // deno-lint-ignore no-console
      console.log(
        `no retries: ${proxy.requests - requestsBefore} requests, faults ${
          JSON.stringify(faults)
        }; ${outcome.errors.size} calls threw ${
          JSON.stringify(failures)
        } and resolved when repeated; ${listed} runs in the server`,
      );
    },
  );
});
