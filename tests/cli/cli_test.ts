import assert from "node:assert/strict";
import { cli } from "./_cli.ts";
import { hasScript, spawnCliOnTerminal } from "../_helpers/terminal.ts";
import { createTenant, type TestTenant } from "../e2e/_helpers.ts";
import {
  type ReferenceServer,
  startReferenceServer,
} from "../_helpers/reference_server.ts";

const CLI = new URL("../../cli/mod.ts", import.meta.url).pathname;

async function withSetup(
  fn: (
    server: ReferenceServer,
    tenant: TestTenant,
    env: Record<string, string>,
  ) => Promise<void>,
) {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "admin");
  const { token } = await server.admin.apiTokens.create({
    name: "cli",
    scope: "tenant",
    username: tenant.username,
    tenant: tenant.slug,
  });
  const home = await Deno.makeTempDir();
  try {
    await fn(server, tenant, {
      RUNPLANE_ENDPOINT: server.url.href,
      RUNPLANE_TOKEN: token,
      RUNPLANE_HOME: home,
    });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("runplane login saves the credentials with mode 0600 and later commands use them", async () => {
  await withSetup(async (_server, tenant, env) => {
    const login = await cli(["login", "--token", env.RUNPLANE_TOKEN], {
      RUNPLANE_ENDPOINT: env.RUNPLANE_ENDPOINT,
      RUNPLANE_HOME: env.RUNPLANE_HOME,
    });
    assert.equal(login.code, 0, login.stderr);
    const path = `${env.RUNPLANE_HOME}/credentials.json`;
    assert.match(
      login.stdout,
      new RegExp(
        `^Logged in to \\S+ \\(token\\); profile default, tenant ${tenant.slug}\\.`,
      ),
    );
    assert.ok(login.stdout.includes(path));
    assert.ok(!login.stdout.includes(env.RUNPLANE_TOKEN), "token not echoed");
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);

    const tenants = await cli(["tenants", "--json"], {
      RUNPLANE_ENDPOINT: env.RUNPLANE_ENDPOINT,
      RUNPLANE_HOME: env.RUNPLANE_HOME,
    });
    assert.equal(tenants.code, 0, tenants.stderr);
    assert.deepEqual(
      JSON.parse(tenants.stdout).map((t: { slug: string }) => t.slug),
      [tenant.slug],
    );
  });
});

Deno.test("runplane projects and flow-runs commands work as tables and as JSON", async () => {
  await withSetup(async (_server, tenant, env) => {
    const created = await cli(["projects", "create", "churn", "--json"], env);
    assert.equal(created.code, 0, created.stderr);
    const project = JSON.parse(created.stdout);
    assert.equal(project.name, "churn");

    const table = await cli(["projects"], env);
    assert.match(table.stdout, /^name\s+id\s+createdAt\n/);
    assert.ok(table.stdout.includes(project.id));

    const flow = await tenant.client.flows.register({
      name: "train",
      project: project.id,
    });
    const run = JSON.parse(
      (await cli([
        "flow-runs",
        "create",
        "--flow-id",
        flow.id,
        "--parameters",
        '{"epochs":3}',
        "--name",
        "nightly",
        "--json",
      ], env)).stdout,
    );
    assert.equal(run.name, "nightly");
    assert.deepEqual(run.parameters, { epochs: 3 });

    const moved = await cli([
      "flow-runs",
      "set-state",
      run.id,
      "--state",
      "running",
      "--version",
      String(run.version),
    ], env);
    assert.equal(moved.code, 0, moved.stderr);
    assert.equal(
      moved.stdout,
      `${run.id}: RUNNING, version ${run.version + 1}\n`,
    );

    const listed = await cli(["flow-runs", "list", "--json"], env);
    assert.deepEqual(
      JSON.parse(listed.stdout).map((r: { id: string }) => r.id),
      [run.id],
    );
    const got = await cli(["flow-runs", "get", run.id], env);
    assert.match(got.stdout, new RegExp(`nightly\\s+${run.id}\\s+RUNNING`));

    const running = await cli(
      ["flow-runs", "list", "--state", "Running", "--json"],
      env,
    );
    assert.equal(running.code, 0, running.stderr);
    assert.equal(JSON.parse(running.stdout).length, 1, "--state in any case");

    const flows = await cli(
      ["flows", "list", "--name", "train", "--json"],
      env,
    );
    assert.deepEqual(
      JSON.parse(flows.stdout).map((f: { id: string }) => f.id),
      [flow.id],
    );
    const oneFlow = await cli(["flows", "get", flow.id], env);
    assert.match(oneFlow.stdout, new RegExp(`train\\s+1\\s+${flow.id}`));
    const task = await tenant.client.taskRuns.getOrCreate({
      flowRunId: run.id,
      taskId: "fit",
    });
    const tasks = await cli(
      ["task-runs", "list", "--flow-run-id", run.id, "--json"],
      env,
    );
    assert.equal(tasks.code, 0, tasks.stderr);
    assert.deepEqual(
      JSON.parse(tasks.stdout).map((t: { id: string }) => t.id),
      [task.id],
    );

    const cancelled = await cli(["flow-runs", "cancel", run.id], env);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.equal(
      cancelled.stdout,
      `${run.id}: CANCELLED, version ${run.version + 2}\n`,
    );
    const none = await cli(
      ["flow-runs", "list", "--state", "running", "--json"],
      env,
    );
    assert.deepEqual(JSON.parse(none.stdout), []);
  });
});

Deno.test("runplane secrets set reads the value from stdin, and list shows names only", async () => {
  await withSetup(async (_server, tenant, env) => {
    const set = await cli(["secrets", "set", "db-password"], env, {
      stdin: "hunter2-SECRET\n",
    });
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout, "Set secret db-password\n");
    assert.equal(
      await tenant.client.secrets.get("db-password"),
      "hunter2-SECRET",
    );
    const list = await cli(["secrets", "list", "--json"], env);
    assert.deepEqual(
      JSON.parse(list.stdout).map((secret: { name: string }) => secret.name),
      ["db-password"],
    );
    assert.ok(!list.stdout.includes("hunter2"));

    const got = await cli(["secrets", "get", "db-password"], env);
    assert.equal(got.stdout, "hunter2-SECRET\n");
    const deleted = await cli(["secrets", "delete", "db-password"], env);
    assert.equal(deleted.stdout, "Deleted secret db-password\n");
    assert.deepEqual(await tenant.client.secrets.list().toArray(), []);
  });
});

Deno.test("runplane tenants create and projects delete", async () => {
  await withSetup(async (server, _tenant, env) => {
    const admin = { ...env, RUNPLANE_TOKEN: server.adminToken };
    const created = await cli(
      ["tenants", "create", "acme", "--name", "Acme", "--json"],
      admin,
    );
    assert.equal(created.code, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout).slug, "acme");
    const missing = await cli(["tenants", "create", "acme2"], admin);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^error: tenants create needs --name/);

    const project = JSON.parse(
      (await cli(["projects", "create", "gone", "--json"], env)).stdout,
    );
    const deleted = await cli(["projects", "delete", project.id], env);
    assert.equal(deleted.stdout, `Deleted project ${project.id}\n`);
    const left = await cli(["projects", "list", "--json"], env);
    assert.deepEqual(JSON.parse(left.stdout), []);
  });
});

Deno.test("runplane logs prints a run's lines oldest first", async () => {
  await withSetup(async (_server, tenant, env) => {
    const project = await tenant.client.projects.create({ name: "p" });
    const flow = await tenant.client.flows.register({
      name: "f",
      project: project.id,
    });
    const run = await tenant.client.flowRuns.create({ flowId: flow.id });
    await tenant.client.logs.write([
      { flowRunId: run.id, level: "info", message: "first" },
      { flowRunId: run.id, level: "error", message: "second" },
    ]);
    const logs = await cli(["logs", "--flow-run-id", run.id], env);
    assert.equal(logs.code, 0, logs.stderr);
    const lines = logs.stdout.trim().split("\n");
    assert.equal(lines.length, 2);
    assert.match(lines[0], /INFO\s+first$/);
    assert.match(lines[1], /ERROR\s+second$/);
  });
});

Deno.test("runplane flow-runs watch prints one line per state and exits by the final state", async () => {
  await withSetup(async (_server, tenant, env) => {
    const project = await tenant.client.projects.create({ name: "w" });
    const flow = await tenant.client.flows.register({
      name: "f",
      project: project.id,
    });
    for (const [final, code] of [["SUCCESS", 0], ["FAILED", 3]] as const) {
      const run = await tenant.client.flowRuns.create({ flowId: flow.id });
      const watching = cli(
        ["flow-runs", "watch", run.id, "--interval-ms", "10"],
        env,
      );
      const running = await tenant.client.flowRuns.setState(run.id, {
        version: run.version,
        state: "RUNNING",
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await tenant.client.flowRuns.setState(run.id, {
        version: running.version,
        state: final,
      });
      const result = await watching;
      assert.equal(result.code, code, result.stderr);
      const states = result.stderr.trim().split("\n").map((line) =>
        line.split(" ").at(-1)
      );
      assert.equal(states.at(-1), final);
      assert.ok(
        states.every((state, i) => i === 0 || state !== states[i - 1]),
        "one line per change",
      );
      assert.ok(
        !result.stderr.includes("\r"),
        "no status line when not a terminal",
      );
    }
  });
});

Deno.test("runplane errors print one line and a non-zero exit code, with a stack only under --debug", async () => {
  await withSetup(async (_server, _tenant, env) => {
    const missing = await cli(["flow-runs", "get", "no-such-run"], env);
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, "");
    assert.equal(missing.stderr.trim().split("\n").length, 1);
    assert.match(
      missing.stderr,
      /^error: GET \/api\/v1\/flow-runs\/no-such-run failed with status 404/,
    );

    const debug = await cli(
      ["flow-runs", "get", "no-such-run", "--debug"],
      env,
    );
    assert.match(debug.stderr, /\n\s+at /, "--debug shows the stack");

    const unknown = await cli(["fly"], env);
    assert.equal(unknown.code, 2);
    assert.ok(
      unknown.stderr.startsWith(
        "error: Unknown command 'fly': run runplane --help\nUsage: runplane",
      ),
      unknown.stderr,
    );

    const badFlag = await cli(["tenants", "--colour"], env);
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /^error: Unknown option '--colour'.*\nUsage:/);

    const noCredentials = await cli(["tenants"], {
      RUNPLANE_ENDPOINT: env.RUNPLANE_ENDPOINT,
      RUNPLANE_HOME: env.RUNPLANE_HOME,
    });
    assert.equal(noCredentials.code, 1);
    assert.match(
      noCredentials.stderr,
      /^error: No credentials found: run runplane login, or set RUNPLANE_TOKEN/,
    );
  });
});

Deno.test("runplane as a process: a clear error line, no stack trace, and a live status line on a terminal", async () => {
  await withSetup(async (_server, tenant, env) => {
    const failed = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net=127.0.0.1",
        "--allow-env",
        "--allow-read",
        CLI,
        "flow-runs",
        "get",
        "nope",
      ],
      env: { ...env, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(failed.stderr);
    assert.equal(failed.code, 1);
    assert.equal(stderr.trim().split("\n").length, 1, stderr);
    assert.ok(!stderr.includes(" at "), "no stack trace");

    // A pseudo-terminal through script(1), where the status line is drawn.
    if (!await hasScript()) return;
    const project = await tenant.client.projects.create({ name: "tty" });
    const flow = await tenant.client.flows.register({
      name: "f",
      project: project.id,
    });
    const run = await tenant.client.flowRuns.create({ flowId: flow.id });
    const running = await tenant.client.flowRuns.setState(run.id, {
      version: run.version,
      state: "RUNNING",
    });
    const command = [
      Deno.execPath(),
      "run",
      "--allow-net=127.0.0.1",
      "--allow-env",
      "--allow-read",
      CLI,
      "flow-runs",
      "watch",
      run.id,
      "--interval-ms",
      "20",
    ]
      .map((part) => `'${part}'`).join(" ");
    const watching = new Deno.Command("script", {
      args: ["-qec", command, "/dev/null"],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await tenant.client.flowRuns.setState(run.id, {
      version: running.version,
      state: "SUCCESS",
    });
    const result = await watching;
    const screen = new TextDecoder().decode(result.stdout);
    assert.equal(result.code, 0, screen);
    assert.ok(screen.includes("\r\x1b[2K"), "redraws one status line");
    assert.match(screen, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] RUNNING\s+\d+\.\ds/);
    assert.match(screen, /✓ SUCCESS after \d+\.\ds/);
  });
});

Deno.test("runplane login takes the token on stdin or at a hidden prompt, never on the command line", async (t) => {
  await withSetup(async (_server, tenant, env) => {
    const saved = { RUNPLANE_ENDPOINT: env.RUNPLANE_ENDPOINT };

    await t.step("a token piped on stdin logs in", async () => {
      const home = await Deno.makeTempDir();
      try {
        const login = await cli(["login"], { ...saved, RUNPLANE_HOME: home }, {
          stdin: `${env.RUNPLANE_TOKEN}\n`,
        });
        assert.equal(login.code, 0, login.stderr);
        assert.ok(!login.stdout.includes(env.RUNPLANE_TOKEN));
        const tenants = await cli(["tenants", "--json"], {
          ...saved,
          RUNPLANE_HOME: home,
        });
        assert.equal(JSON.parse(tenants.stdout)[0].slug, tenant.slug);
        const empty = await cli(["login"], { ...saved, RUNPLANE_HOME: home });
        assert.equal(empty.code, 2);
        assert.match(empty.stderr, /^error: login needs a token/);
      } finally {
        await Deno.remove(home, { recursive: true });
      }
    });

    await t.step(
      "a token typed at the prompt on a terminal is not echoed",
      async () => {
        if (!await hasScript()) return;
        const home = await Deno.makeTempDir();
        const child = spawnCliOnTerminal(["login"], {
          ...saved,
          RUNPLANE_HOME: home,
          NO_COLOR: "1",
        });
        try {
          const decoder = new TextDecoder();
          let screen = "";
          const reader = child.stdout.getReader();
          // Types only once the prompt shows, as a person would.
          for (let i = 0; i < 1_000 && !screen.includes("Token: "); i++) {
            const { value, done } = await reader.read();
            if (done) break;
            screen += decoder.decode(value);
          }
          assert.ok(screen.includes("Token: "), screen);
          const writer = child.stdin.getWriter();
          await writer.write(
            new TextEncoder().encode(`${env.RUNPLANE_TOKEN}\r`),
          );
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            screen += decoder.decode(value);
          }
          await writer.close().catch(() => {});
          const status = await child.status;
          await child.stderr.cancel();
          assert.equal(status.code, 0, screen);
          assert.match(screen, /Logged in to \S+ \(token\)/);
          assert.ok(
            !screen.includes(env.RUNPLANE_TOKEN),
            "the token is echoed",
          );
        } finally {
          await Deno.remove(home, { recursive: true });
        }
      },
    );
  });
});
