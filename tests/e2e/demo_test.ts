import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url);

Deno.test("examples/demo.ts exits 0 with a report for both users", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "runplane-demo-test-" });
  try {
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net=127.0.0.1",
        "--allow-env",
        "--allow-read",
        "--allow-write",
        "examples/demo.ts",
      ],
      cwd: root,
      env: { TMPDIR: tmp, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, `stdout:\n${stdout}\nstderr:\n${stderr}`);
    for (const user of ["alice", "bob"]) {
      assert.match(stdout, new RegExp(`^${user}$`, "m"));
    }
    for (
      const line of [
        /✓ signed in with API token to tenant alice-team/,
        /✓ signed in with keypair to tenant bob-team/,
        /✓ flow run created twice with one idempotency key: same id/,
        /✓ flow run RUNNING \(version 2\); stale version refused/,
        /✓ tag limit 1: one task RUNNING, one QUEUED/,
        /✓ 6 log lines shipped by the writer/,
        /✓ flow run SUCCESS: http:\/\/127\.0\.0\.1:\d+\/ui\/bob-team\/flow-runs\//,
        /✓ isolation: neither user saw the other's projects or runs/,
        /Demo finished: all checks passed/,
      ]
    ) {
      assert.match(stdout, line);
    }
    assert.equal(
      stdout.match(/✓ flow v2|flow v2 registered, v1 archived/g)?.length,
      2,
    );
    // The temporary database folder is gone.
    assert.deepEqual(await Array.fromAsync(Deno.readDir(tmp)), []);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
