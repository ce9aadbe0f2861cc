import { Client, Credentials } from "../mod.ts";
import { median, percentile } from "./_stats.ts";
import { fixed, type Row } from "./_row.ts";

const SAMPLES = 300;

/**
 * First endpoint refusing connections, second healthy. Each sample is a
 * fresh endpoint list, so it pays the failover itself rather than riding on
 * an earlier sample's sticky choice; samples that started at the healthy
 * endpoint (the pool starts at a random one) are the baseline.
 */
export async function failover(url: string): Promise<Row[]> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const refusing = `http://127.0.0.1:${listener.addr.port}`;
  listener.close();
  const direct: number[] = [];
  const failedOver: number[] = [];
  for (let i = 0; direct.length < SAMPLES || failedOver.length < SAMPLES; i++) {
    if (i > SAMPLES * 20) break;
    let attempts = 0;
    const client = new Client({
      credentials: new Credentials({ token: "bench" }),
      config: {
        endpoints: [`${refusing}/s${i}`, `${url}/s${i}`],
        envFile: false,
        env: {},
      },
      logger: () => attempts++,
    });
    const started = performance.now();
    await client.get("/projects/b7f3");
    const elapsed = performance.now() - started;
    (attempts > 1 ? failedOver : direct).push(elapsed);
    await client.close();
  }
  // The p99 is the failed-over requests' own: a difference of two p99s
  // turns negative whenever a direct sample has the slower tail.
  return [{
    name:
      "Failover: when the first endpoint refuses, the added latency (median) / a failed-over request's p99",
    figure: `${fixed(median(failedOver) - median(direct))} ms / ${
      fixed(percentile(failedOver, 99))
    } ms`,
    goal: "(no goal; later calls stick to the healthy endpoint)",
  }];
}
