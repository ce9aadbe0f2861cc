import { benchClients } from "./_clients.ts";
import { median } from "./_stats.ts";
import type { Row } from "./_row.ts";

const IN_FLIGHT = 1_000;
const ROUNDS = 5;

/**
 * Heap held per request in flight: 1,000 GETs started at once against the
 * JSON server, measured after a full collection while all of them wait for
 * their answers. No goal: it explains the many-users and concurrency-64
 * rows, since every young-generation collection copies what requests in
 * flight hold, so a client's extra bytes here cost CPU there. Unlike those
 * rows, this figure does not move with the machine's load.
 */
export async function inFlightMemory(url: string): Promise<Row[]> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) {
    throw new Error("Run the benchmarks with --v8-flags=--expose-gc");
  }
  const { token, keypair } = benchClients(url);
  const target = `${url}/api/v1/projects/b7f3`;
  const headers = { authorization: "Bearer bench-token" };
  const peers: Record<string, () => Promise<unknown>> = {
    "raw fetch + json()": async () => (await fetch(target, { headers })).json(),
    "Client, token": () => token.get("/projects/b7f3"),
    "Client, keypair (HMAC)": () => keypair.get("/projects/b7f3"),
  };
  const bytes: Record<string, number[]> = {};
  for (let round = -1; round < ROUNDS; round++) {
    for (const [name, call] of Object.entries(peers)) {
      gc();
      const before = Deno.memoryUsage().heapUsed;
      const calls = Array.from({ length: IN_FLIGHT }, call);
      // Every call has reached `fetch` and waits for its answer.
      gc();
      const held = (Deno.memoryUsage().heapUsed - before) / IN_FLIGHT;
      await Promise.all(calls);
      if (round >= 0) (bytes[name] ??= []).push(held);
    }
  }
  await token.close();
  await keypair.close();
  return Object.entries(bytes).map(([name, values]) => ({
    name: `Memory: heap held per request in flight (1,000 GETs), ${name}`,
    figure: `${(median(values) / 1024).toFixed(2)} KiB`,
    goal: "(no goal)",
  }));
}
