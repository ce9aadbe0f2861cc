import { startReferenceServer } from "../_helpers/reference_server.ts";
import assert from "node:assert/strict";
import { cli, tenantToken, withHome } from "./_cli.ts";
import { createTenant, uniqueName } from "../e2e/_helpers.ts";
import { AuthenticationError } from "../../errors.ts";

Deno.test("runplane login saves the endpoint and the only tenant; whoami, config view and logout use them", async () => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "admin");
  const token = await tenantToken(server, tenant, "laptop");
  await withHome(async (home) => {
    const login = await cli(["login", "--endpoint", server.url.href], {
      RUNPLANE_HOME: home,
    }, { stdin: `${token}\n` });
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, new RegExp(`tenant ${tenant.slug}\\.`));

    // Only the home folder from here on: endpoint and tenant are the profile's.
    const env = { RUNPLANE_HOME: home };
    const project = await cli(["projects", "create", "from-profile"], env);
    assert.equal(project.code, 0, project.stderr);
    assert.equal(
      (await tenant.client.projects.list().toArray()).map((p) => p.name).join(),
      "from-profile",
    );

    const whoami = await cli(["whoami"], env);
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.match(
      whoami.stdout,
      new RegExp(`^user\\s+${tenant.username}$`, "m"),
    );
    assert.match(
      whoami.stdout,
      new RegExp(`^tenant\\s+${tenant.slug} \\(admin\\)$`, "m"),
    );
    assert.match(
      whoami.stdout,
      new RegExp(`^endpoint\\s+${server.url.href}$`, "m"),
    );
    assert.match(whoami.stdout, /^profile\s+default$/m);
    assert.match(whoami.stdout, /^credential\s+API token \(saved in /m);

    const view = await cli(["config", "view"], env);
    assert.equal(view.code, 0, view.stderr);
    assert.match(view.stdout, new RegExp(`tenant\\s+${tenant.slug}`));
    assert.ok(
      !view.stdout.includes(token),
      "config view never shows the token",
    );
    assert.ok(!whoami.stdout.includes(token));

    const logout = await cli(["logout"], env);
    assert.equal(logout.code, 0, logout.stderr);
    assert.match(logout.stdout, /the API token is revoked/);
    // Revoked at the server, not only forgotten here.
    const revoked = server.client({ token }, { tenant: tenant.slug });
    await assert.rejects(
      revoked.projects.list().toArray(),
      AuthenticationError,
    );
    assert.ok(
      !(await Deno.readTextFile(`${home}/credentials.json`)).includes(token),
    );
    const after = await cli(["whoami"], env);
    assert.equal(after.code, 1);
    assert.match(after.stderr, /run runplane login/);
    const again = await cli(["logout"], env);
    assert.match(again.stdout, /nothing to forget/);
  });
});

Deno.test("runplane logout --local forgets a token without revoking it, and says a password stays valid", async () => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "member");
  const token = await tenantToken(server, tenant, "kept");
  await withHome(async (home) => {
    const env = { RUNPLANE_HOME: home, RUNPLANE_ENDPOINT: server.url.href };
    await cli(["login"], env, { stdin: token });
    const local = await cli(["logout", "--local"], env);
    assert.equal(local.code, 0, local.stderr);
    assert.doesNotMatch(local.stdout, /revoked/);
    const still = server.client({ token }, { tenant: tenant.slug });
    assert.deepEqual(await still.projects.list().toArray(), []);

    await cli(["login", "--username", tenant.username], env, {
      stdin: tenant.password,
    });
    const basic = await cli(["logout"], env);
    assert.match(basic.stdout, /a password stays valid/);
  });
});

Deno.test("runplane profiles keep their own endpoint, tenant and credential; old credential files stay readable", async () => {
  await using server = await startReferenceServer();
  await using other = await startReferenceServer();
  const tenant = await createTenant(server, "viewer");
  const elsewhere = await createTenant(other, "admin");
  const token = await tenantToken(other, elsewhere);
  await withHome(async (home) => {
    const env = { RUNPLANE_HOME: home };
    const admin = await cli(
      [
        "login",
        "--profile",
        "ops",
        "--endpoint",
        server.url.href,
      ],
      env,
      { stdin: server.adminToken },
    );
    assert.equal(admin.code, 0, admin.stderr);
    const user = await cli(["login", "--endpoint", other.url.href], env, {
      stdin: token,
    });
    assert.equal(user.code, 0, user.stderr);

    const opsTenants = await cli(
      ["tenants", "--profile", "ops", "--json"],
      env,
    );
    assert.ok(
      JSON.parse(opsTenants.stdout).some((t: { slug: string }) =>
        t.slug === tenant.slug
      ),
    );
    const byEnv = await cli(["whoami"], { ...env, RUNPLANE_PROFILE: "ops" });
    assert.match(byEnv.stdout, /^user\s+the system admin$/m);
    assert.match(byEnv.stdout, /^profile\s+ops$/m);
    const mine = await cli(["whoami", "--json"], env);
    assert.equal(JSON.parse(mine.stdout).tenant.slug, elsewhere.slug);
    assert.equal(JSON.parse(mine.stdout).endpoint, other.url.href);

    // To another endpoint in the same profile: its old tenant is not there.
    const moved = await cli(["login", "--endpoint", server.url.href], env, {
      stdin: server.adminToken,
    });
    assert.equal(moved.code, 0, moved.stderr);
  });
  // A file from before profiles: one record per endpoint, nothing else.
  await withHome(async (home) => {
    await Deno.writeTextFile(
      `${home}/credentials.json`,
      JSON.stringify({
        endpoints: { [server.url.origin]: { token: server.adminToken } },
      }),
      { mode: 0o600 },
    );
    const old = await cli(["whoami", "--endpoint", server.url.href], {
      RUNPLANE_HOME: home,
    });
    assert.equal(old.code, 0, old.stderr);
    assert.match(old.stdout, /the system admin/);
  });
});

Deno.test("runplane login with several tenants takes --tenant, asks on a terminal, or saves none", async () => {
  await using server = await startReferenceServer();
  const first = await createTenant(server, "admin");
  const second = uniqueName("t");
  await server.admin.tenants.create({ slug: second, name: "Second" });
  await server.admin.users.addMembership({
    username: first.username,
    tenant: second,
    role: "viewer",
  });
  await withHome(async (home) => {
    const env = { RUNPLANE_HOME: home, RUNPLANE_ENDPOINT: server.url.href };
    const login = (extra: string[], ask?: (q: string) => string | null) =>
      cli(["login", "--username", first.username, ...extra], env, {
        stdin: first.password,
        ask,
      });

    const none = await login([]);
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /tenant none/);
    assert.match(
      none.stderr,
      /Several tenants are visible .*runplane config set tenant/,
    );

    let asked = "";
    const picked = await login([], (question) => {
      asked = question;
      return second;
    });
    assert.equal(picked.code, 0, picked.stderr);
    assert.ok(asked.includes(first.slug) && asked.includes(second), asked);
    const view = JSON.parse(
      (await cli(["config", "view", "--json"], env)).stdout,
    );
    assert.equal(view.tenant, second);

    // The profile's tenant is kept while the credential still sees it.
    const kept = await login([]);
    assert.match(kept.stdout, new RegExp(`tenant ${second}\\.`));

    const flagged = await login(["--tenant", first.slug]);
    assert.match(flagged.stdout, new RegExp(`tenant ${first.slug}\\.`));
    const unknown = await login(["--tenant", "nope-nope"]);
    assert.equal(unknown.code, 1);
    assert.match(
      unknown.stderr,
      /Tenant nope-nope is not one this credential can use: pass --tenant with one of/,
    );
  });
});

Deno.test("runplane config set checks the value; flags win over the environment, which wins over the profile", async () => {
  await withHome(async (home) => {
    const env = { RUNPLANE_HOME: home };
    const view = async (args: string[], extra: Record<string, string> = {}) =>
      JSON.parse(
        (await cli(["config", "view", "--json", ...args], { ...env, ...extra }))
          .stdout,
      );
    const set = await cli(["config", "set", "tenant", "from-profile"], env);
    assert.equal(set.code, 0, set.stderr);
    await cli(["config", "set", "endpoint", "http://127.0.0.1:9"], env);
    assert.equal((await view([])).tenant, "from-profile");
    assert.equal((await view([])).endpoint, "http://127.0.0.1:9/");
    assert.equal(
      (await view([], { RUNPLANE_TENANT: "from-env" })).tenant,
      "from-env",
    );
    assert.equal(
      (await view(["--tenant", "from-flag"], { RUNPLANE_TENANT: "from-env" }))
        .tenant,
      "from-flag",
    );
    // Another profile has none of these.
    assert.equal((await view(["--profile", "other"])).tenant, null);

    const bad = await cli(["config", "set", "timeout-ms", "soon"], env);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /^error: Cannot parse RUNPLANE_TIMEOUT_MS: value is not a number/,
    );
    const unknown = await cli(["config", "set", "token", "x"], env);
    assert.equal(unknown.code, 2);
    assert.match(
      unknown.stderr,
      /^error: Unknown setting token: use one of endpoint, tenant/,
    );
    const unset = await cli(["config", "unset", "tenant"], env);
    assert.equal(unset.code, 0, unset.stderr);
    assert.equal((await view([])).tenant, null);
    assert.equal(
      (await Deno.stat(`${home}/profiles.json`)).mode! & 0o777,
      0o600,
    );
  });
});
