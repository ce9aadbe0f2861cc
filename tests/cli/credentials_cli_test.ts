import { hasScript, spawnCliOnTerminal } from "../_helpers/terminal.ts";
import assert from "node:assert/strict";
import { cli as runCli } from "./_cli.ts";
import { AuthenticationError } from "../../errors.ts";
import { createTenant, rejectsWith } from "../e2e/_helpers.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

/** Runs the CLI in-process with a given environment and stdin. */
function cli(args: string[], env: Record<string, string>, stdin = "") {
  return runCli(args, env, { stdin });
}

Deno.test("runplane tokens and keys list and revoke credentials", async (t) => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "admin");
  const env = {
    RUNPLANE_ENDPOINT: server.url.href,
    RUNPLANE_TOKEN: server.adminToken,
  };
  const ci = await server.admin.apiTokens.create({
    name: "ci",
    scope: "tenant",
    username: tenant.username,
    tenant: tenant.slug,
    expiresAt: new Date(Date.now() + 86_400_000),
  });
  const keypair = await server.admin.accessKeys.create({
    username: tenant.username,
    tenant: tenant.slug,
  });

  await t.step("tokens list prints a table without secrets", async () => {
    const listed = await cli(
      ["tokens", "list", "--in-tenant", tenant.slug],
      env,
    );
    assert.equal(listed.code, 0, listed.stderr);
    const [header, ...rows] = listed.stdout.trimEnd().split("\n");
    assert.match(header, /^name +id +scope +username +tenant +expiresAt$/);
    assert.equal(rows.length, 2);
    assert.ok(rows.some((row) => row.startsWith(`ci    ${ci.id}`)));
    assert.ok(!listed.stdout.includes(ci.token));
    const json = await cli(
      ["tokens", "list", "--username", tenant.username, "--json"],
      env,
    );
    assert.equal(JSON.parse(json.stdout)[0].expiresAt, ci.expiresAt);
  });

  await t.step("tokens revoke ends the token", async () => {
    const revoked = await cli(["tokens", "revoke", ci.id], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(revoked.stdout, `Revoked API token ${ci.id}\n`);
    await rejectsWith(
      server.client({ token: ci.token }).projects.list().toArray(),
      AuthenticationError,
    );
    const again = await cli(["tokens", "revoke", ci.id], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^error: .*API token not found\n$/);
  });

  await t.step("keys list and keys revoke", async () => {
    const listed = await cli(["keys", "list", "--json"], env);
    assert.deepEqual(
      JSON.parse(listed.stdout).map((x: { accessKey: string }) => x.accessKey),
      [keypair.accessKey],
    );
    assert.ok(!listed.stdout.includes(keypair.secretKey));
    const revoked = await cli(["keys", "revoke", keypair.accessKey], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    await rejectsWith(
      server.client(keypair).projects.list().toArray(),
      AuthenticationError,
    );
  });
});

Deno.test("runplane users set-password reads passwords from stdin, never from a flag", async (t) => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "member");
  const admin = await createTenant(server, "admin", `${tenant.slug}-x`);
  // The admin of the second tenant is made admin of the member's tenant too.
  await server.admin.users.addMembership({
    username: admin.username,
    tenant: tenant.slug,
    role: "admin",
  });
  const self = {
    RUNPLANE_ENDPOINT: server.url.href,
    RUNPLANE_USERNAME: tenant.username,
    RUNPLANE_PASSWORD: tenant.password,
  };

  await t.step("a password flag is refused", async () => {
    const flagged = await cli(
      ["users", "set-password", tenant.username, "--password", "x".repeat(12)],
      self,
      `${tenant.password}\n`,
    );
    assert.equal(flagged.code, 2);
    assert.match(flagged.stderr, /takes no --password/);
  });

  await t.step("your own: the current password, then the new one", async () => {
    const changed = await cli(
      ["users", "set-password", tenant.username],
      self,
      `${tenant.password}\nthe new password\n`,
    );
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(changed.stdout, /logins have ended/);
    assert.ok(!changed.stdout.includes("the new password"));
    await rejectsWith(
      server.client({
        username: tenant.username,
        password: tenant.password,
      }).tenants.list().toArray(),
      AuthenticationError,
    );
  });

  await t.step(
    "as an admin of every tenant of the user: the new one only",
    async () => {
      const byAdmin = await cli(
        ["users", "set-password", tenant.username],
        {
          RUNPLANE_ENDPOINT: server.url.href,
          RUNPLANE_USERNAME: admin.username,
          RUNPLANE_PASSWORD: admin.password,
        },
        "set by the admin\n",
      );
      assert.equal(byAdmin.code, 0, byAdmin.stderr);
      const tenants = await server.client({
        username: tenant.username,
        password: "set by the admin",
      }).tenants.list().toArray();
      assert.equal(tenants.length, 1);
    },
  );

  await t.step("nothing on stdin is a usage error", async () => {
    const empty = await cli(["users", "set-password", tenant.username], {
      RUNPLANE_ENDPOINT: server.url.href,
      RUNPLANE_TOKEN: server.adminToken,
    });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /needs the password on a terminal or on stdin/);
  });
});

Deno.test("runplane users add and remove manage memberships of --tenant", async () => {
  await using server = await startReferenceServer();
  const first = await createTenant(server, "member");
  const second = await createTenant(server, "admin");
  const env = {
    RUNPLANE_ENDPOINT: server.url.href,
    RUNPLANE_TOKEN: server.adminToken,
  };
  const noTenant = await cli(["users", "remove", first.username], env);
  assert.equal(noTenant.code, 2);
  assert.match(noTenant.stderr, /needs a tenant: pass --tenant/);
  const added = await cli(
    [
      "users",
      "add",
      first.username,
      "--tenant",
      second.slug,
      "--role",
      "viewer",
    ],
    env,
  );
  assert.equal(added.code, 0, added.stderr);
  assert.equal(
    added.stdout,
    `Added ${first.username} to ${second.slug} as viewer\n`,
  );
  const removed = await cli(
    ["users", "remove", first.username, "--tenant", first.slug],
    env,
  );
  assert.equal(removed.code, 0, removed.stderr);
  await rejectsWith(
    first.client.projects.list().toArray(),
    AuthenticationError,
  );
  const tenants = await server.client({
    username: first.username,
    password: first.password,
  }).tenants.list().toArray();
  assert.deepEqual(tenants.map((x) => x.slug), [second.slug]);
});

Deno.test("runplane escapes control characters in server text, except with --json", async () => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "member");
  const project = await tenant.client.projects.create({ name: "p" });
  const flow = await tenant.client.flows.register({
    name: "etl",
    project: project.id,
  });
  const run = await tenant.client.flowRuns.create({
    flowId: flow.id,
    runName: "run\x1b[2Jname",
  });
  // An OSC 52 sequence would write the user's clipboard.
  const message = "done\x1b]52;c;cm0gLXJmIH4=\x07\nforged line";
  await tenant.client.logs.write([{
    flowRunId: run.id,
    level: "INFO",
    message,
  }]);
  const { token } = await server.admin.apiTokens.create({
    name: "cli",
    scope: "tenant",
    username: tenant.username,
    tenant: tenant.slug,
  });
  const env = { RUNPLANE_ENDPOINT: server.url.href, RUNPLANE_TOKEN: token };

  const logs = await cli(["logs", "--flow-run-id", run.id], env);
  assert.equal(logs.code, 0, logs.stderr);
  assert.ok(!/\p{Cc}/u.test(logs.stdout.slice(0, -1)), logs.stdout);
  assert.ok(
    logs.stdout.endsWith(
      "INFO     done\\u001b]52;c;cm0gLXJmIH4=\\u0007\\nforged line\n",
    ),
  );
  const runs = await cli(["flow-runs", "get", run.id], env);
  assert.ok(runs.stdout.includes("run\\u001b[2Jname"), runs.stdout);

  const json = await cli(["logs", "--flow-run-id", run.id, "--json"], env);
  assert.equal(JSON.parse(json.stdout)[0].message, message);
});

Deno.test("runplane users set-password asks on a terminal without echoing", async () => {
  // A pseudo-terminal through script(1).
  if (!await hasScript()) return;
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "member");
  const child = spawnCliOnTerminal(["users", "set-password", tenant.username], {
    RUNPLANE_ENDPOINT: server.url.href,
    RUNPLANE_TOKEN: server.adminToken,
  });
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let screen = "";
  // Typed only once the prompt is up: before raw mode the terminal echoes.
  while (!screen.includes("New password: ")) {
    const { value, done } = await reader.read();
    if (done) break;
    screen += value;
  }
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode("typed secretX\x7f\r"));
  await writer.close();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    screen += value;
  }
  const { code } = await child.status;
  await stderr;
  assert.equal(code, 0, screen);
  assert.ok(!screen.includes("typed secret"), screen);
  assert.match(screen, /Set the password of .*; its logins have ended/);
  const tenants = await server.client({
    username: tenant.username,
    password: "typed secret",
  }).tenants.list().toArray();
  assert.equal(tenants.length, 1);
});
