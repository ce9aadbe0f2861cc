import assert from "node:assert/strict";
import { getEnv } from "../../config/env.ts";
import { ConfigError } from "../../errors.ts";
import { ROOT, runDeno } from "../_helpers/subprocess.ts";

function configError(fn: () => unknown, message: string | RegExp) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ConfigError, String(error));
    if (typeof message === "string") assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

Deno.test("getEnv() upper-cases the key and reads it under the prefix", () => {
  assert.equal(
    getEnv("timeout_ms", { env: { RUNPLANE_TIMEOUT_MS: "5000" } }),
    "5000",
  );
  assert.equal(
    getEnv("timeout_ms", {
      env: { RUNPLANE_timeout_ms: "5000" },
      default: "d",
    }),
    "d",
  );
});

Deno.test("getEnv() tries the prefixes in order", () => {
  const prefixes = ["RUNPLANE_", "LEGACY_"];
  assert.equal(
    getEnv("tenant", {
      prefixes,
      env: { RUNPLANE_TENANT: "new", LEGACY_TENANT: "old" },
    }),
    "new",
  );
  assert.equal(
    getEnv("tenant", { prefixes, env: { LEGACY_TENANT: "old" } }),
    "old",
  );
  assert.equal(
    getEnv("tenant", {
      prefixes,
      env: { RUNPLANE_TENANT: "", LEGACY_TENANT: "old" },
    }),
    "old",
    "an empty value counts as unset",
  );
});

Deno.test("getEnv() falls back to the default and cleans it like a value", () => {
  const seen: string[] = [];
  const clean = (value: string | number, name: string) => {
    seen.push(name);
    return Number(value);
  };
  assert.equal(getEnv("max_retries", { env: {}, default: "2", clean }), 2);
  assert.equal(
    getEnv("max_retries", { env: { RUNPLANE_MAX_RETRIES: "7" }, clean }),
    7,
  );
  assert.deepEqual(seen, ["the default", "RUNPLANE_MAX_RETRIES"]);
});

Deno.test("getEnv() throws ConfigError naming every variable it tried", () => {
  configError(
    () => getEnv("timeout_ms", { env: {}, prefixes: ["RUNPLANE_", "LEGACY_"] }),
    "Missing setting TIMEOUT_MS: set one of RUNPLANE_TIMEOUT_MS, LEGACY_TIMEOUT_MS",
  );
});

Deno.test("getEnv() turns a rejected value into a ConfigError that does not echo it", () => {
  const strict = (value: string | number) => {
    if (!/^\d+$/.test(String(value))) {
      throw new TypeError(`bad value ${value}`);
    }
    return Number(value);
  };
  assert.throws(
    () =>
      getEnv("timeout_ms", {
        env: { RUNPLANE_TIMEOUT_MS: "pw_SECRET" },
        clean: strict,
      }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(
        error.message,
        "Cannot parse RUNPLANE_TIMEOUT_MS: the value was rejected",
      );
      assert.ok(error.cause instanceof TypeError);
      return true;
    },
  );
  configError(
    () => getEnv("timeout_ms", { env: {}, default: "x", clean: strict }),
    "Cannot parse the default: the value was rejected",
  );
  const own = () => {
    throw new ConfigError("Invalid RUNPLANE_TIMEOUT_MS: too small");
  };
  configError(
    () =>
      getEnv("timeout_ms", { env: { RUNPLANE_TIMEOUT_MS: "1" }, clean: own }),
    "Invalid RUNPLANE_TIMEOUT_MS: too small",
  );
});

Deno.test("getEnv() reads options.env instead of the process environment", () => {
  const name = "RUNPLANE_GETENV_TEST_ONLY";
  Deno.env.set(name, "from-process");
  try {
    assert.equal(getEnv("getenv_test_only"), "from-process");
    assert.equal(
      getEnv("getenv_test_only", { env: {}, default: "replaced" }),
      "replaced",
    );
  } finally {
    Deno.env.delete(name);
  }
});

Deno.test("getEnv() and loadConfig() treat missing env permission as an empty environment", async (t) => {
  const code = `
    import { getEnv } from "${ROOT}config/env.ts";
    import { loadConfig } from "${ROOT}config/config.ts";
    const value = getEnv("tenant", { default: "none" });
    const config = loadConfig({ envFile: false });
    console.log(JSON.stringify({ value, tenant: config.tenant ?? null, credentials: config.credentials?.mode ?? null }));
  `;
  const env = { RUNPLANE_TENANT: "acme", RUNPLANE_TOKEN: "rp_sub" };
  await t.step("with env permission the variables are read", async () => {
    const result = await runDeno(code, { env, flags: ["--allow-env"] });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), {
      value: "acme",
      tenant: "acme",
      credentials: "token",
    });
  });
  for (const flags of [[], ["--deny-env"]]) {
    await t.step(flags.join(" ") || "no env flag", async () => {
      const result = await runDeno(code, { env, flags });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout), {
        value: "none",
        tenant: null,
        credentials: null,
      });
    });
  }
  await t.step("permission for some variables reads only those", async () => {
    const result = await runDeno(code, {
      env,
      flags: ["--allow-env=RUNPLANE_TENANT"],
    });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), {
      value: "acme",
      tenant: "acme",
      credentials: null,
    });
  });
});
