import assert from "node:assert/strict";
import { loadConfig } from "../../config/config.ts";
import { updateProfile } from "../../config/profiles.ts";
import { ConfigError } from "../../errors.ts";

Deno.test("loadConfig() reads the profile after the environment and .env, before the defaults", async () => {
  const home = await Deno.makeTempDir();
  try {
    await updateProfile(home, "default", {
      endpoint: "http://127.0.0.1:7001",
      tenant: "profiled",
      "timeout-ms": "1234",
    });
    await updateProfile(home, "ci", { tenant: "ci-tenant" });
    const envFile = `${home}/.env`;
    await Deno.writeTextFile(envFile, "RUNPLANE_TENANT=from-dotenv\n");
    const env = { RUNPLANE_HOME: home };

    const plain = loadConfig({ env, envFile: false });
    assert.equal(plain.profile, "default");
    assert.equal(plain.endpoints[0].href, "http://127.0.0.1:7001/");
    assert.equal(plain.tenant, "profiled");
    assert.equal(plain.timeoutMs, 1234);
    assert.equal(loadConfig({ env, envFile }).tenant, "from-dotenv");
    assert.equal(
      loadConfig({ env: { ...env, RUNPLANE_TENANT: "from-env" }, envFile })
        .tenant,
      "from-env",
    );
    assert.equal(
      loadConfig({ env, envFile, tenant: "explicit" }).tenant,
      "explicit",
    );
    const ci = loadConfig({
      env: { ...env, RUNPLANE_PROFILE: "ci" },
      envFile: false,
    });
    assert.equal(ci.tenant, "ci-tenant");
    assert.equal(ci.endpoints[0].href, "http://127.0.0.1:4200/", "a default");
    assert.equal(
      loadConfig({ env, envFile: false, profile: false }).tenant,
      undefined,
    );

    await updateProfile(home, "default", { "timeout-ms": "soon" });
    assert.throws(() => loadConfig({ env, envFile: false }), (error) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(
        error.message,
        `Cannot parse RUNPLANE_TIMEOUT_MS of profile default in ${home}/profiles.json: value is not a number`,
      );
      return true;
    });
    assert.throws(
      () => loadConfig({ env, envFile: false, profile: "../x" }),
      /Invalid option profile: a profile name is 1 to 64 letters, digits and _ \. -/,
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
