import {
  type ReferenceServer,
  startReferenceServer,
} from "../_helpers/reference_server.ts";
import assert from "node:assert/strict";
import { cli, type CliResult, tenantToken } from "./_cli.ts";
import { createTenant } from "../e2e/_helpers.ts";
import { hasScript, spawnCliOnTerminal } from "../_helpers/terminal.ts";

/** Polls `check` every 20 ms, at most 10 s. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/** A tenant with a token, a flow and a run of it in `RUNNING`. */
async function runningRun(server: ReferenceServer) {
  const tenant = await createTenant(server, "admin");
  const token = await tenantToken(server, tenant);
  const project = await tenant.client.projects.create({ name: "p" });
  const flow = await tenant.client.flows.register({
    name: "f",
    project: project.id,
  });
  const run = await tenant.client.flowRuns.create({ flowId: flow.id });
  const running = await tenant.client.flowRuns.setState(run.id, {
    version: run.version,
    state: "RUNNING",
  });
  const env = { RUNPLANE_ENDPOINT: server.url.href, RUNPLANE_TOKEN: token };
  return { tenant, token, run, version: running.version, env };
}

Deno.test("runplane logs keeps --level and up, prints the --tail, and --follow reads until the run is final", async (t) => {
  await using server = await startReferenceServer();
  const { tenant, run, version, env } = await runningRun(server);
  const write = (messages: string[], level = "INFO") =>
    tenant.client.logs.write(
      messages.map((message) => ({ flowRunId: run.id, level, message })),
    );
  await write(["d1"], "DEBUG");
  await write(["i1"]);
  await write(["w1"], "WARNING");
  await write(["e1"], "error");
  await write(["i2"]);
  const messages = (result: CliResult) =>
    result.stdout.trim().split("\n").map((line) => line.split(/\s+/).at(-1));

  await t.step("--level and --tail", async () => {
    const warnings = await cli(["logs", run.id, "--level", "warning"], env);
    assert.equal(warnings.code, 0, warnings.stderr);
    assert.deepEqual(messages(warnings), ["w1", "e1"]);
    const tail = await cli(["logs", run.id, "--tail", "2"], env);
    assert.deepEqual(messages(tail), ["e1", "i2"]);
    const both = await cli(
      ["logs", run.id, "--level", "Info", "--tail", "3"],
      env,
    );
    assert.deepEqual(messages(both), ["w1", "e1", "i2"]);
    const bad = await cli(["logs", run.id, "--level", "loud"], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error: --level needs one of DEBUG, INFO/);
  });

  await t.step("--follow, across pages, until the run ends", async () => {
    // More than one page of 500 before following starts.
    const many = Array.from({ length: 520 }, (_, i) => `m${i}`);
    await write(many);
    const following = cli(
      ["logs", run.id, "--follow", "--interval-ms", "20"],
      env,
    );
    await write(["late1"]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await write(["late2"]);
    await tenant.client.flowRuns.setState(run.id, {
      version,
      state: "SUCCESS",
    });
    const result = await following;
    assert.equal(result.code, 0, result.stderr);
    const lines = messages(result);
    assert.deepEqual(lines, [
      "d1",
      "i1",
      "w1",
      "e1",
      "i2",
      ...many,
      "late1",
      "late2",
    ]);
  });
});

Deno.test("runplane logs --follow ends with exit code 130 on Ctrl-C", async () => {
  await using server = await startReferenceServer();
  const { env, run } = await runningRun(server);
  const controller = new AbortController();
  const following = cli(
    ["logs", run.id, "--follow", "--interval-ms", "20"],
    env,
    { signal: controller.signal },
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  controller.abort();
  const result = await following;
  assert.equal(result.code, 130);
  assert.equal(result.stderr, "");
});

Deno.test("runplane flow-runs watch shows the time since the run started and the final state's message", async () => {
  await using server = await startReferenceServer();
  const { tenant, run, version, env } = await runningRun(server);
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  let stderr = "";
  const watching = cli(
    ["flow-runs", "watch", run.id, "--interval-ms", "20"],
    env,
    { isTerminal: true, onStderr: (text) => void (stderr += text) },
  );
  await until(() => /RUNNING/.test(stderr), "the status line");
  // Counted from the run's start, a second before watching began.
  const shownFirst = Number(stderr.match(/RUNNING\s+(\d+\.\d)s/)![1]);
  assert.ok(shownFirst >= 1, `${shownFirst}s`);
  await tenant.client.flowRuns.setState(run.id, {
    version,
    state: { type: "FAILED", message: "out of memory" },
  });
  const result = await watching;
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, /✗ FAILED after \d+\.\ds: out of memory\n/);
  assert.ok(result.stderr.startsWith("\x1b[?25l"), "hides the cursor");
  assert.ok(result.stderr.endsWith("\x1b[?25h"), "shows it again");

  const queued = await tenant.client.flowRuns.create({
    flowId: (await tenant.client.flowRuns.get(run.id)).flowId,
  });
  const controller = new AbortController();
  let waiting = "";
  const pending = cli(["flow-runs", "watch", queued.id], env, {
    isTerminal: true,
    signal: controller.signal,
    onStderr: (text) => void (waiting += text),
  });
  await until(() => /queued \d+\.\ds/.test(waiting), "the queued line");
  controller.abort();
  const interrupted = await pending;
  assert.equal(interrupted.code, 130);
  assert.ok(interrupted.stderr.endsWith("\r\x1b[2K\x1b[?25h"), "line cleared");
});

Deno.test("runplane flow-runs watch survives a server that stops and starts again on its port, and gives up after --reconnect-ms", async () => {
  const folder = await Deno.makeTempDir();
  try {
    const databasePath = `${folder}/runplane.db`;
    const first = await startReferenceServer({ databasePath });
    const port = Number(first.url.port);
    let setup;
    try {
      setup = await runningRun(first);
    } catch (error) {
      await first.close();
      throw error;
    }
    const { run, version, env, token } = setup;
    let stderr = "";
    const watching = cli(
      [
        "flow-runs",
        "watch",
        run.id,
        "--interval-ms",
        "20",
        "--reconnect-ms",
        "30000",
      ],
      env,
      { onStderr: (text) => void (stderr += text) },
    );
    await until(() => stderr.includes("RUNNING"), "the first state");
    await first.close();
    await until(
      () => stderr.includes("Cannot reach the server"),
      "the outage notice",
    );
    {
      await using again = await startReferenceServer({ databasePath, port });
      await again.client({ token }).flowRuns.setState(run.id, {
        version,
        state: "SUCCESS",
      });
      const result = await watching;
      assert.equal(result.code, 0, result.stderr);
      assert.match(
        result.stderr,
        /Cannot reach the server \(.+\): trying again for up to 30\.0s\n/,
      );
      assert.match(result.stderr, /Reached the server again after \d+\.\ds\n/);
      assert.match(result.stderr, /SUCCESS\n$/);

      const other = await again.client({ token }).flowRuns.create({
        flowId: (await again.client({ token }).flowRuns.get(run.id)).flowId,
      });
      const giving = cli(
        ["flow-runs", "watch", other.id, "--reconnect-ms", "300"],
        env,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      await again.close();
      const gaveUp = await giving;
      assert.equal(gaveUp.code, 1);
      assert.match(
        gaveUp.stderr,
        new RegExp(
          `error: Gave up watching flow run ${other.id}: the server could not be reached for \\d+\\.\\ds; run runplane flow-runs watch ${other.id} again once it is back\\n$`,
        ),
      );
    }
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("runplane flow-runs watch on a terminal: Ctrl-C clears the line, shows the cursor and exits 130", async () => {
  if (!await hasScript()) return;
  await using server = await startReferenceServer();
  const { run, env } = await runningRun(server);
  const child = spawnCliOnTerminal(
    ["flow-runs", "watch", run.id, "--interval-ms", "50"],
    { ...env, NO_COLOR: "1" },
  );
  const decoder = new TextDecoder();
  const reader = child.stdout.getReader();
  const writer = child.stdin.getWriter();
  let screen = "";
  try {
    for (let i = 0; i < 1_000 && !screen.includes("RUNNING"); i++) {
      const { value, done } = await reader.read();
      if (done) break;
      screen += decoder.decode(value);
    }
    assert.ok(screen.includes("RUNNING"), screen);
    await writer.write(new TextEncoder().encode("\x03"));
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      screen += decoder.decode(value);
    }
  } finally {
    await writer.close().catch(() => {});
    await child.stderr.cancel();
  }
  const status = await child.status;
  assert.equal(status.code, 130, screen);
  const after = screen.slice(screen.lastIndexOf("RUNNING"));
  assert.ok(after.includes("\r\x1b[2K\x1b[?25h"), JSON.stringify(after));
  assert.ok(!screen.includes("error"), screen);
});
