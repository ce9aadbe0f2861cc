/**
 * The log writer against the reference server's per-tenant limit on log
 * lines: a batch answered 429 is sent again after `Retry-After`, and no line
 * is lost.
 *
 * @module
 */

import { deepEqual, equal, ok } from "node:assert/strict";
import { createTenant, startTestServer } from "./_helpers.ts";

/** The server's allowance: 100 lines a second, in bursts of 6,000. */
const LINES_PER_MINUTE = 6_000;
/** More than a minute's allowance, so some batches are refused. */
const LINES = 6_500;

Deno.test("LogWriter loses no line when the server limits log lines with 429 and Retry-After", async () => {
  await using server = await startTestServer({
    logLinesPerMinute: LINES_PER_MINUTE,
  });
  const tenant = await createTenant(server, "member");
  const project = await tenant.client.projects.create({ name: "logs" });
  const flow = await tenant.client.flows.register({
    name: "f",
    project: project.id,
  });
  const run = await tenant.client.flowRuns.create({ flowId: flow.id });

  let limited = 0;
  const client = server.client(
    { token: (await tenant.client.getAuthToken())! },
    {
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (response.status === 429) limited++;
        return response;
      },
    },
  );
  const writer = client.logs.writer({
    flowRunId: run.id,
    maxBatch: 500,
    flushIntervalMs: 20,
  });
  for (let i = 0; i < LINES; i++) writer.log("INFO", `line ${i}`);
  await writer.close();

  ok(limited > 0, "the server never limited the writer");
  equal(writer.dropped, 0);
  equal(writer.written, LINES);
  const lines = await Array.fromAsync(
    tenant.client.logs.list({ flowRunId: run.id }),
  );
  deepEqual(
    lines.map((line) => line.message),
    Array.from({ length: LINES }, (_, i) => `line ${i}`),
  );
});
