import { Client, Credentials } from "../mod.ts";
import type { Row } from "./_row.ts";

const CLIENTS = 10_000;

/** Heap per idle client over 10,000 clients with distinct credentials. */
export function clientMemory(): Row[] {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) {
    throw new Error("Run the benchmarks with --v8-flags=--expose-gc");
  }
  const config = { envFile: false as const, env: {} };
  gc();
  const before = Deno.memoryUsage().heapUsed;
  const clients = Array.from(
    { length: CLIENTS },
    (_, i) =>
      new Client({
        credentials: new Credentials({ token: `idle-${i}` }),
        config,
      }),
  );
  gc();
  const perClient = (Deno.memoryUsage().heapUsed - before) / clients.length;
  return [{
    name: "Memory: heap per idle Client (10,000 clients)",
    figure: `${(perClient / 1024).toFixed(2)} KiB`,
    goal: "< 10 KiB",
    met: perClient < 10 * 1024,
  }];
}
