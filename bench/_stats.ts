/**
 * Side-by-side measurement: peers run in turn, round after round, so that
 * the machine's noise falls on all of them alike; figures are medians of
 * per-round ratios.
 *
 * @module
 */

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** The p-th percentile (nearest rank) of some numbers. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(Math.max(rank, 0), sorted.length - 1)];
}

/**
 * Runs every peer once per round, in a rotating order, after one warm-up
 * round that is not counted. Returns each peer's durations in milliseconds.
 */
export async function interleave(
  peers: Record<string, () => Promise<void>>,
  rounds: number,
): Promise<Record<string, number[]>> {
  const names = Object.keys(peers);
  const times: Record<string, number[]> = Object.fromEntries(
    names.map((name) => [name, []]),
  );
  for (let round = -1; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + Math.max(round, 0)) % names.length];
      const started = performance.now();
      await peers[name]();
      if (round >= 0) times[name].push(performance.now() - started);
    }
  }
  return times;
}

/** The median over rounds of `peer / base` durations. */
export function pairedRatio(peer: number[], base: number[]): number {
  return median(peer.map((time, round) => time / base[round]));
}

/** Runs `count` tasks with at most `concurrency` at once. */
export async function pool(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, worker),
  );
}
