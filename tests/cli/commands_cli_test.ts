import { startReferenceServer } from "../_helpers/reference_server.ts";
import assert from "node:assert/strict";
import { cli, passwordEnv, tenantToken, withHome } from "./_cli.ts";
import { createTenant } from "../e2e/_helpers.ts";
import { AuthenticationError } from "../../errors.ts";

/** Runs the CLI and asserts it succeeded; returns stdout. */
async function ok(
  args: string[],
  env: Record<string, string>,
  stdin?: string,
): Promise<string> {
  const result = await cli(args, env, { stdin });
  assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

Deno.test("runplane takes a fresh server to a finished flow run with the CLI alone", async () => {
  await using server = await startReferenceServer();
  await withHome(async (home) => {
    const ops = { RUNPLANE_HOME: home, RUNPLANE_PROFILE: "ops" };
    await ok(["login", "--endpoint", server.url.href], ops, server.adminToken);
    await ok(["tenants", "create", "acme", "--name", "Acme"], ops);
    const created = await ok(
      ["users", "create", "ada", "--role", "admin", "--tenant", "acme"],
      ops,
      "correct-horse-battery\n",
    );
    assert.equal(created, "Created user ada in acme as admin\n");
    const minted = await ok(
      ["tokens", "create", "laptop", "--username", "ada", "--tenant", "acme"],
      ops,
    );
    const token = minted.trim().split("\n").at(-1)!;
    assert.match(minted, /it is shown only now/);

    const env = { RUNPLANE_HOME: home };
    await ok(["login", "--endpoint", server.url.href], env, token);
    const project = JSON.parse(
      await ok(["projects", "create", "ml", "--json"], env),
    );
    // Flows are registered by the runner's code, not typed in a shell.
    const ada = server.client({ token });
    await ada.flows.register({ name: "train", project: project.id });

    const run = JSON.parse(
      await ok(["flow-runs", "create", "--flow", "train", "--json"], env),
    );
    const running = JSON.parse(
      await ok([
        "flow-runs",
        "set-state",
        run.id,
        "--state",
        "running",
        "--version",
        String(run.version),
        "--json",
      ], env),
    );
    await ok([
      "flow-runs",
      "set-state",
      run.id,
      "--state",
      "Success",
      "--version",
      String(running.version),
      "--message",
      "model saved",
    ], env);
    const watched = await cli(["flow-runs", "watch", run.id], env);
    assert.equal(watched.code, 0, watched.stderr);
    assert.match(watched.stderr, /SUCCESS: model saved$/m);
    for (const filter of [["--state", "success"], ["--flow", "train"]]) {
      const listed = JSON.parse(
        await ok(["flow-runs", "list", ...filter, "--json"], env),
      );
      assert.deepEqual(listed.map((r: { id: string }) => r.id), [run.id]);
    }
    const other = JSON.parse(
      await ok(["flow-runs", "list", "--state", "failed", "--json"], env),
    );
    assert.deepEqual(other, []);
  });
});

Deno.test("runplane flow-runs create --flow says when the name is unknown or names several flows", async () => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "admin");
  const env = {
    RUNPLANE_ENDPOINT: server.url.href,
    RUNPLANE_TOKEN: await tenantToken(server, tenant),
  };
  const a = await tenant.client.projects.create({ name: "a" });
  const b = await tenant.client.projects.create({ name: "b" });
  const v1 = await tenant.client.flows.register({ name: "etl", project: a.id });
  const v2 = await tenant.client.flows.register({ name: "etl", project: a.id });
  await tenant.client.flows.register({ name: "etl", project: b.id });

  const unknown = await cli(["flow-runs", "create", "--flow", "nope"], env);
  assert.equal(unknown.code, 1);
  assert.equal(
    unknown.stderr,
    'error: No flow is named "nope": run runplane flows list to see the flows\n',
  );
  const ambiguous = await cli(["flow-runs", "create", "--flow", "etl"], env);
  assert.equal(ambiguous.code, 1);
  assert.match(
    ambiguous.stderr,
    /^error: Several flows are named "etl", in projects .+: give --project-id P, or --flow-id F\n$/,
  );
  const narrowed = await cli([
    "flow-runs",
    "create",
    "--flow",
    "etl",
    "--project-id",
    a.id,
    "--json",
  ], env);
  assert.equal(narrowed.code, 0, narrowed.stderr);
  // The newest version of the flow, as --version-group-id runs it.
  assert.equal(JSON.parse(narrowed.stdout).flowId, v2.id);
  assert.notEqual(v1.id, v2.id);
  const both = await cli([
    "flow-runs",
    "create",
    "--flow",
    "etl",
    "--flow-id",
    v1.id,
  ], env);
  assert.equal(both.code, 2);
});

Deno.test("runplane list commands page like the API: --limit, --cursor, --all, and the next cursor on stderr", async () => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "admin");
  const env = passwordEnv(server, tenant);
  const project = await tenant.client.projects.create({ name: "p" });
  const flow = await tenant.client.flows.register({
    name: "f",
    project: project.id,
  });
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    ids.push((await tenant.client.flowRuns.create({ flowId: flow.id })).id);
  }
  const first = await cli(["flow-runs", "list", "--limit", "2", "--json"], env);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(JSON.parse(first.stdout).length, 2);
  const cursor = first.stderr.match(
    /^More: run again with --cursor (\S+) \(or --all\)$/m,
  )?.[1];
  assert.ok(cursor, first.stderr);
  const second = await cli([
    "flow-runs",
    "list",
    "--limit",
    "2",
    "--cursor",
    cursor,
    "--json",
  ], env);
  const seen = [...JSON.parse(first.stdout), ...JSON.parse(second.stdout)]
    .map((run: { id: string }) => run.id);
  assert.equal(new Set(seen).size, 4);
  const all = await cli([
    "flow-runs",
    "list",
    "--all",
    "--limit",
    "2",
    "--json",
  ], env);
  assert.deepEqual(
    JSON.parse(all.stdout).map((run: { id: string }) => run.id).sort(),
    [...ids].sort(),
  );
  assert.equal(all.stderr, "", "no cursor once every page is read");
  await ok(["tokens", "create", "second"], env);
  const tokens = await cli(["tokens", "list", "--limit", "1", "--json"], env);
  assert.equal(JSON.parse(tokens.stdout).length, 1);
  assert.match(tokens.stderr, /--cursor/);
  const bad = await cli(["flows", "list", "--limit", "0"], env);
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    /^error: --limit needs a whole number from 1 to 500/,
  );
  const both = await cli(["flows", "list", "--all", "--cursor", cursor], env);
  assert.equal(both.code, 2);
  const wrongState = await cli(["flow-runs", "list", "--state", "done"], env);
  assert.equal(wrongState.code, 2);
  assert.match(wrongState.stderr, /^error: --state needs one of SCHEDULED/);
});

Deno.test("runplane tokens and keys create show the secret once, and it works", async () => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "admin");
  const env = passwordEnv(server, tenant);
  const token = JSON.parse(
    await ok(["tokens", "create", "ci", "--json"], env),
  );
  assert.equal(token.scope, "tenant");
  assert.deepEqual(
    await server.client({ token: token.token }).projects.list().toArray(),
    [],
  );
  const listed = await ok(["tokens", "list"], env);
  assert.ok(listed.includes("ci") && !listed.includes(token.token));

  const key = await ok(["keys", "create", "--username", tenant.username], env);
  const accessKey = key.match(/^access key: (\S+)$/m)![1];
  const secretKey = key.match(/^secret key: (\S+)$/m)![1];
  const signed = server.client({ accessKey, secretKey }, {
    tenant: tenant.slug,
  });
  assert.deepEqual(await signed.projects.list().toArray(), []);
  assert.ok(!(await ok(["keys", "list"], env)).includes(secretKey));
  await ok(["keys", "revoke", accessKey], env);
  await assert.rejects(signed.projects.list().toArray(), AuthenticationError);
});

Deno.test("runplane limits get, set and delete a tag's concurrency limit", async () => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "admin");
  const env = passwordEnv(server, tenant);
  assert.equal(
    await ok(["limits", "set", "gpu", "2"], env),
    "Limited gpu to 2 at once\n",
  );
  const got = JSON.parse(await ok(["limits", "get", "gpu", "--json"], env));
  assert.equal(got.limit, 2);
  assert.equal(got.active, 0);
  assert.equal(
    await ok(["limits", "delete", "gpu"], env),
    "Deleted the limit on gpu\n",
  );
  const gone = await cli(["limits", "get", "gpu"], env);
  assert.equal(gone.code, 1);
  const missing = await cli(["limits", "set", "gpu"], env);
  assert.equal(missing.code, 2);
});
