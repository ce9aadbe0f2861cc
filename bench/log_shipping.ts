import { fixed, type Row } from "./_row.ts";
import type { BenchServer } from "./_bench_server.ts";

const RECORDS = 1_000_000;
const SINGLE_POSTS = 2_000;
const CHUNK = 1_000;
const MAX_BUFFERED = 50_000;

/**
 * 1,000,000 records through `client.logs.writer` vs one POST per record (on
 * 2,000 records, scaled to a rate): records per second and the writer's peak
 * heap growth. The producer yields to the event loop every 1,000 records, as
 * a working program does between units of work, and waits while the writer's
 * buffer is more than half full.
 */
export async function logShipping(server: BenchServer): Promise<Row[]> {
  const { client } = server;
  const run = await client.flowRuns.create({ flowId: server.flowId });
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const baseline = Deno.memoryUsage().heapUsed;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, Deno.memoryUsage().heapUsed);
  }, 20);
  const writer = client.logs.writer({
    flowRunId: run.id,
    maxBatch: 5_000,
    flushIntervalMs: 50,
    maxBuffered: MAX_BUFFERED,
  });
  const started = performance.now();
  for (let i = 0; i < RECORDS; i++) {
    writer.log("INFO", `record ${i}`);
    if (i % CHUNK === CHUNK - 1) {
      // A producer that outruns the server slows down rather than letting
      // the writer drop its oldest records.
      do await new Promise((resolve) => setTimeout(resolve, 1)); while (
        writer.buffered > MAX_BUFFERED / 2
      );
    }
  }
  await writer.close();
  const batched = RECORDS / ((performance.now() - started) / 1000);
  clearInterval(sampler);
  peak = Math.max(peak, Deno.memoryUsage().heapUsed);
  const dropped = writer.dropped;

  const single = performance.now();
  for (let i = 0; i < SINGLE_POSTS; i++) {
    await client.logs.write([{
      flowRunId: run.id,
      level: "INFO",
      message: `single ${i}`,
    }]);
  }
  const perPost = SINGLE_POSTS / ((performance.now() - single) / 1000);
  return [
    {
      name: `Log shipping: writer, ${
        RECORDS.toLocaleString("en")
      } records (dropped ${dropped})`,
      figure: `${Math.round(batched).toLocaleString("en")} records/s`,
      goal: "(no goal)",
    },
    {
      name: "Log shipping: one POST per record",
      figure: `${Math.round(perPost).toLocaleString("en")} records/s`,
      goal: "(no goal)",
    },
    {
      name: "Log shipping: writer vs one POST per record (throughput)",
      figure: `${fixed(batched / perPost, 1)}x`,
      goal: "(no goal)",
    },
    {
      name: "Log shipping: writer's peak heap growth",
      figure: `${((peak - baseline) / 1024 / 1024).toFixed(1)} MiB`,
      goal: "bounded by maxBuffered",
    },
  ];
}
