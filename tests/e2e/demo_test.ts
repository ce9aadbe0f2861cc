import assert from "node:assert/strict";
import { runExample } from "../examples/_run_example.ts";

Deno.test("examples/demo.ts exits 0 with a report for both users", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "runplane-demo-test-" });
  try {
    const { code, stdout, stderr } = await runExample("demo.ts", {
      flags: ["--allow-write"],
      env: { TMPDIR: tmp },
    });
    assert.equal(code, 0, `stdout:\n${stdout}\nstderr:\n${stderr}`);
    for (const user of ["alice", "bob"]) {
      assert.match(stdout, new RegExp(`^${user}$`, "m"));
    }
    for (
      const line of [
        /✓ signed in with API token to tenant alice-team/,
        /✓ signed in with keypair to tenant bob-team/,
        /✓ flow run twice with one idempotency key: ran once, total 30/,
        /✓ flow run SCHEDULED → PENDING → RUNNING → SUCCESS \(version 4\)/,
        /✓ tag limit 1: one extract task QUEUED, both SUCCESS/,
        /✓ load retried once: RUNNING → RETRYING → RUNNING → SUCCESS/,
        /✓ 3 log lines shipped by the runner/,
        /✓ flow run SUCCESS: http:\/\/127\.0\.0\.1:\d+\/ui\/bob-team\/flow-runs\//,
        /✓ isolation: neither user saw the other's projects or runs/,
        /Demo finished: all checks passed/,
      ]
    ) {
      assert.match(stdout, line);
    }
    assert.equal(
      stdout.match(/flow nightly-etl v1 registered by the runner/g)?.length,
      2,
    );
    // The temporary database folder is gone.
    assert.deepEqual(await Array.fromAsync(Deno.readDir(tmp)), []);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
