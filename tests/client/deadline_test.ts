import assert from "node:assert/strict";
import { startDeadline, TICK_MS } from "../../transport/_deadlines.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, TICK_MS));

Deno.test("startDeadline() aborts an attempt still in flight once due, never one released", async () => {
  // Both in one window: the window holds only what is still in flight.
  const released = startDeadline(1);
  const pending = startDeadline(1);
  released.release();
  for (let i = 0; i < 50 && !pending.signal.aborted; i++) await tick();
  assert.ok(pending.signal.aborted, "the attempt in flight timed out");
  assert.equal(released.signal.aborted, false);
  // The ticker stops once no window is left.
  await tick();
  await tick();
});
