import assert from "node:assert/strict";
import type { RequestLogEvent } from "../../transport/transport.ts";
import {
  createWorkspace,
  makeClient,
  pool,
  startFaultProxy,
} from "./_helpers.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

const CALLS = 1_500;
const CONCURRENCY = 10;

Deno.test("a client with three endpoints fails no call while one of them is down", async () => {
  await using server = await startReferenceServer({ databasePath: ":memory:" });
  const workspace = await createWorkspace(server.url);
  // Three doors to one server (one database): each can be shut and reopened.
  const proxies = [0, 1, 2].map(() => startFaultProxy({ target: server.url }));
  try {
    const attempts: RequestLogEvent[] = [];
    await using client = makeClient(
      proxies.map((proxy) => proxy.url),
      { token: workspace.token },
      {
        config: { maxRetries: 3, timeoutMs: 5_000 },
        logger: (event) => attempts.push(event),
      },
    );
    let done = 0;
    let failures = 0;
    const outages: string[] = [];
    const load = pool(CALLS, CONCURRENCY, async (i) => {
      try {
        if (i % 3 === 2) {
          await client.projects.list().toArray();
        } else {
          await client.flowRuns.create({
            flowId: workspace.flowId,
            parameters: { i },
          });
        }
      } catch (error) {
        failures++;
        throw error;
      } finally {
        done++;
      }
    });
    const chaos = (async () => {
      // Each proxy in turn goes down for a share of the load, then comes back.
      for (let round = 0; round < 2; round++) {
        for (const [k, proxy] of proxies.entries()) {
          const start = done;
          await proxy.stop();
          for (let waits = 0; waits < 2_000 && done < start + 150; waits++) {
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
          outages.push(`proxy ${k} down for ${done - start} calls`);
          proxy.start();
        }
      }
    })();
    await Promise.all([load, chaos]);
    assert.equal(failures, 0);
    assert.equal(outages.length, 6);

    // No create ran twice or went missing.
    const params = new Set<number>();
    for await (
      const run of client.flowRuns.list({
        flowId: workspace.flowId,
        limit: 500,
      })
    ) {
      const i = (run.parameters as { i: number }).i;
      assert.ok(!params.has(i), `run ${i} twice`);
      params.add(i);
    }
    const creates = Array.from({ length: CALLS }, (_, i) => i)
      .filter((i) => i % 3 !== 2);
    assert.equal(params.size, creates.length);
    const served = proxies.map((proxy) => proxy.relayed);
    for (const count of served) assert.ok(count > 0);
    const failed = attempts.filter((event) => event.status === undefined);
    // deno-lint-ignore no-console
    console.log(
      `failover: ${CALLS} calls, 0 failed; ${
        outages.join(", ")
      }; answers relayed per endpoint ${
        JSON.stringify(served)
      }; ${attempts.length} attempts, ${failed.length} attempts without an answer`,
    );
  } finally {
    await Promise.all(proxies.map((proxy) => proxy.close()));
  }
});
