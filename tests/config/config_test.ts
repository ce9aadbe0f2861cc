import assert from "node:assert/strict";
import { isConfig, loadConfig } from "../../config/config.ts";
import { ConfigError } from "../../errors.ts";
import { VERSION } from "../../version.ts";
import { Credentials } from "../../auth/credentials.ts";

function configError(fn: () => unknown, message: string | RegExp): ConfigError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(
    caught instanceof ConfigError,
    `expected a ConfigError, got ${caught}`,
  );
  if (typeof message === "string") assert.equal(caught.message, message);
  else assert.match(caught.message, message);
  return caught;
}

async function withEnvFile<T>(
  text: string,
  fn: (path: string) => T | Promise<T>,
): Promise<T> {
  const folder = await Deno.makeTempDir({ prefix: "runplane_env_" });
  try {
    const path = `${folder}/.env`;
    await Deno.writeTextFile(path, text);
    return await fn(path);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

Deno.test("loadConfig() returns the defaults with nothing set", () => {
  const config = loadConfig({ envFile: false, env: {} });
  assert.deepEqual(config.endpoints.map((u) => u.href), [
    "http://127.0.0.1:4200/",
  ]);
  assert.equal(config.endpointType, "api");
  assert.equal(config.tenant, undefined);
  assert.equal(config.apiVersion, "1");
  assert.equal(
    config.userAgent,
    `runplane-client/${VERSION} Deno/${Deno.version.deno}`,
  );
  assert.equal(config.hashType, "sha256");
  assert.equal(config.timeoutMs, 30_000);
  assert.equal(config.maxRetries, 2);
  assert.equal(config.caCertFile, undefined);
  assert.equal(config.home, undefined);
  assert.equal(config.credentials, undefined);
  assert.ok(isConfig(config));
  assert.ok(!isConfig({ ...config }));
});

Deno.test("loadConfig() returns a frozen config", () => {
  const config = loadConfig({
    envFile: false,
    env: { RUNPLANE_ENDPOINT: "http://127.0.0.1:1,http://127.0.0.1:2" },
  });
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.endpoints));
  assert.throws(() => {
    (config as { timeoutMs: number }).timeoutMs = 1;
  }, TypeError);
  assert.throws(() => {
    (config.endpoints as URL[]).push(new URL("http://x"));
  }, TypeError);
});

Deno.test("loadConfig() prefers explicit options over the environment over the .env file over defaults", async () => {
  await withEnvFile(
    [
      "RUNPLANE_TIMEOUT_MS=3000",
      "RUNPLANE_MAX_RETRIES=3",
      "RUNPLANE_TENANT=from-file",
      "RUNPLANE_API_VERSION=9",
    ].join("\n"),
    (envFile) => {
      const config = loadConfig({
        envFile,
        env: { RUNPLANE_MAX_RETRIES: "4", RUNPLANE_TENANT: "from-env" },
        tenant: "explicit",
      });
      assert.equal(config.tenant, "explicit");
      assert.equal(config.maxRetries, 4);
      assert.equal(config.timeoutMs, 3000);
      assert.equal(config.apiVersion, "9");
      assert.equal(config.hashType, "sha256");
      assert.equal(
        loadConfig({ envFile: false, env: {}, maxRetries: 0 }).maxRetries,
        0,
        "an explicit 0 is a value, not a missing one",
      );
    },
  );
});

Deno.test("loadConfig() with envFile: false reads no .env file", async () => {
  await withEnvFile("RUNPLANE_TENANT=from-file", (envFile) => {
    assert.equal(loadConfig({ envFile, env: {} }).tenant, "from-file");
    assert.equal(loadConfig({ envFile: false, env: {} }).tenant, undefined);
  });
  assert.equal(
    loadConfig({ envFile: "/nonexistent/.env", env: {} }).tenant,
    undefined,
    "a missing .env file is skipped",
  );
});

Deno.test("loadConfig() uses options.env in place of the process environment", () => {
  Deno.env.set("RUNPLANE_TENANT", "from-process");
  try {
    assert.equal(loadConfig({ envFile: false }).tenant, "from-process");
    assert.equal(loadConfig({ envFile: false, env: {} }).tenant, undefined);
  } finally {
    Deno.env.delete("RUNPLANE_TENANT");
  }
});

Deno.test("loadConfig() reads every setting from its variable, under each prefix", () => {
  const config = loadConfig({
    envFile: false,
    prefixes: ["RUNPLANE_", "LEGACY_"],
    env: {
      RUNPLANE_ENDPOINT:
        " http://127.0.0.1:4200/ , https://backup.example.com/base/?x=1#frag ",
      LEGACY_ENDPOINT_TYPE: "SESSION",
      RUNPLANE_TENANT: "acme",
      RUNPLANE_API_VERSION: "2",
      RUNPLANE_USER_AGENT: "agent/1",
      RUNPLANE_HASH_TYPE: "sha512",
      LEGACY_TIMEOUT_MS: "1500",
      RUNPLANE_MAX_RETRIES: "0",
      RUNPLANE_CA_CERT_FILE: "/tmp/ca.pem",
      RUNPLANE_HOME: "/tmp/rp-home",
    },
  });
  assert.deepEqual(config.endpoints.map((u) => u.href), [
    "http://127.0.0.1:4200/",
    "https://backup.example.com/base",
  ]);
  assert.equal(config.endpointType, "session");
  assert.equal(config.tenant, "acme");
  assert.equal(config.apiVersion, "2");
  assert.equal(config.userAgent, "agent/1");
  assert.equal(config.hashType, "sha512");
  assert.equal(config.timeoutMs, 1500);
  assert.equal(config.maxRetries, 0);
  assert.equal(config.caCertFile, "/tmp/ca.pem");
  assert.equal(config.home, "/tmp/rp-home");
});

Deno.test("loadConfig() defaults home to $HOME/.runplane of the environment it reads", () => {
  assert.equal(
    loadConfig({ envFile: false, env: { HOME: "/home/alice" } }).home,
    "/home/alice/.runplane",
  );
});

Deno.test("loadConfig() rejects every bad value with a ConfigError naming its source", async (t) => {
  const cases: Array<[string, Record<string, string>, string | RegExp]> = [
    [
      "non-numeric timeout",
      { RUNPLANE_TIMEOUT_MS: "soon" },
      "Cannot parse RUNPLANE_TIMEOUT_MS: value is not a number",
    ],
    [
      "hexadecimal timeout",
      { RUNPLANE_TIMEOUT_MS: "0x10" },
      "Cannot parse RUNPLANE_TIMEOUT_MS: value is not a number",
    ],
    [
      "zero timeout",
      { RUNPLANE_TIMEOUT_MS: "0" },
      "Invalid RUNPLANE_TIMEOUT_MS: expected a whole number from 1 to 2147483647, got 0",
    ],
    [
      "negative retries",
      { RUNPLANE_MAX_RETRIES: "-1" },
      "Invalid RUNPLANE_MAX_RETRIES: expected a whole number from 0 to 2147483647, got -1",
    ],
    [
      "fractional retries",
      { RUNPLANE_MAX_RETRIES: "1.5" },
      /^Invalid RUNPLANE_MAX_RETRIES: expected a whole number/,
    ],
    [
      "relative URL",
      { RUNPLANE_ENDPOINT: "/api" },
      "Invalid RUNPLANE_ENDPOINT: expected an absolute http or https URL such as http://127.0.0.1:4200",
    ],
    [
      "non-http URL",
      { RUNPLANE_ENDPOINT: "http://127.0.0.1:4200,ftp://files.example.com" },
      "Invalid RUNPLANE_ENDPOINT (entry 2): expected an absolute http or https URL such as http://127.0.0.1:4200",
    ],
    [
      "empty endpoint list",
      { RUNPLANE_ENDPOINT: " , " },
      "Invalid RUNPLANE_ENDPOINT: expected one or more absolute http or https URLs",
    ],
    [
      "URL with user and password",
      { RUNPLANE_ENDPOINT: "http://alice:pw_SECRET@127.0.0.1:4200" },
      "Invalid RUNPLANE_ENDPOINT: the URL must not hold a username or password; pass them as Credentials",
    ],
    [
      "unknown endpoint type",
      { RUNPLANE_ENDPOINT_TYPE: "grpc" },
      'Invalid RUNPLANE_ENDPOINT_TYPE: expected "api" or "session", got "grpc"',
    ],
    [
      "unknown hash",
      { RUNPLANE_HASH_TYPE: "md5" },
      'Invalid RUNPLANE_HASH_TYPE: expected "sha256" or "sha384" or "sha512", got "md5"',
    ],
    [
      "blank tenant",
      { RUNPLANE_TENANT: "   " },
      "Invalid RUNPLANE_TENANT: expected a non-empty string",
    ],
  ];
  for (const [name, env, message] of cases) {
    await t.step(name, () => {
      const error = configError(
        () => loadConfig({ envFile: false, env }),
        message,
      );
      assert.ok(!error.message.includes("pw_SECRET"));
    });
  }
  await t.step("a bad explicit option names the option", () => {
    configError(
      () => loadConfig({ envFile: false, env: {}, timeoutMs: -5 }),
      "Invalid option timeoutMs: expected a whole number from 1 to 2147483647, got -5",
    );
    configError(
      () =>
        loadConfig({ envFile: false, env: {}, endpoints: "localhost:4200" }),
      /^Invalid option endpoints: expected an absolute http or https URL/,
    );
  });
  await t.step("a bad value in the .env file names the file", async () => {
    await withEnvFile("RUNPLANE_MAX_RETRIES=many", (envFile) => {
      configError(
        () => loadConfig({ envFile, env: {} }),
        `Cannot parse RUNPLANE_MAX_RETRIES in ${envFile}: value is not a number`,
      );
    });
  });
});

Deno.test("loadConfig() reads credentials from the environment", async (t) => {
  await t.step("a token", () => {
    const config = loadConfig({
      envFile: false,
      env: { RUNPLANE_TOKEN: "rp_tok" },
    });
    assert.equal(config.credentials?.mode, "token");
    assert.ok(config.credentials.equals(new Credentials({ token: "rp_tok" })));
  });
  await t.step("a username and password", () => {
    const config = loadConfig({
      envFile: false,
      env: { RUNPLANE_USERNAME: "alice", RUNPLANE_PASSWORD: "pw" },
    });
    assert.equal(config.credentials?.mode, "basic");
    assert.equal(config.credentials?.username, "alice");
  });
  await t.step("a keypair", () => {
    const config = loadConfig({
      envFile: false,
      env: { RUNPLANE_ACCESS_KEY: "AK1", RUNPLANE_SECRET_KEY: "sk" },
    });
    assert.equal(config.credentials?.mode, "keypair");
    assert.equal(config.credentials?.accessKey, "AK1");
  });
  await t.step("from the .env file", async () => {
    await withEnvFile("RUNPLANE_TOKEN=rp_from_file", (envFile) => {
      assert.equal(
        loadConfig({ envFile, env: {} }).credentials?.mode,
        "token",
      );
    });
  });
  await t.step("the environment wins over the .env file", async () => {
    await withEnvFile("RUNPLANE_TOKEN=rp_from_file", (envFile) => {
      const config = loadConfig({
        envFile,
        env: { RUNPLANE_USERNAME: "alice", RUNPLANE_PASSWORD: "pw" },
      });
      assert.equal(config.credentials?.mode, "basic");
      assert.equal(config.credentials?.username, "alice");
    });
  });
  await t.step("a token wins over a pair in the same source", () => {
    const config = loadConfig({
      envFile: false,
      env: {
        RUNPLANE_TOKEN: "rp_tok",
        RUNPLANE_USERNAME: "alice",
        RUNPLANE_PASSWORD: "pw",
      },
    });
    assert.equal(config.credentials?.mode, "token");
  });
  await t.step("under a legacy prefix", () => {
    const config = loadConfig({
      envFile: false,
      prefixes: ["RUNPLANE_", "LEGACY_"],
      env: { LEGACY_ACCESS_KEY: "AK1", LEGACY_SECRET_KEY: "sk" },
    });
    assert.equal(config.credentials?.accessKey, "AK1");
  });
});

Deno.test("loadConfig() rejects an incomplete pair without echoing the secret", async (t) => {
  const cases: Array<[Record<string, string>, string]> = [
    [
      { RUNPLANE_USERNAME: "alice" },
      "Incomplete credentials: RUNPLANE_USERNAME is set but RUNPLANE_PASSWORD is not; set both or neither",
    ],
    [
      { RUNPLANE_PASSWORD: "pw_SECRET" },
      "Incomplete credentials: RUNPLANE_PASSWORD is set but RUNPLANE_USERNAME is not; set both or neither",
    ],
    [
      { RUNPLANE_ACCESS_KEY: "AK1" },
      "Incomplete credentials: RUNPLANE_ACCESS_KEY is set but RUNPLANE_SECRET_KEY is not; set both or neither",
    ],
    [
      { RUNPLANE_SECRET_KEY: "pw_SECRET" },
      "Incomplete credentials: RUNPLANE_SECRET_KEY is set but RUNPLANE_ACCESS_KEY is not; set both or neither",
    ],
  ];
  cases.push([
    { LEGACY_USERNAME: "alice" },
    "Incomplete credentials: LEGACY_USERNAME is set but LEGACY_PASSWORD is not; set both or neither",
  ]);
  for (const [env, message] of cases) {
    await t.step(Object.keys(env)[0], () => {
      const error = configError(
        () =>
          loadConfig({
            envFile: false,
            env,
            prefixes: ["RUNPLANE_", "LEGACY_"],
          }),
        message,
      );
      assert.ok(!Deno.inspect(error).includes("pw_SECRET"));
    });
  }
  await t.step("in the .env file, naming the file", async () => {
    await withEnvFile("RUNPLANE_ACCESS_KEY=AK1", (envFile) => {
      configError(
        () => loadConfig({ envFile, env: {} }),
        `Incomplete credentials: RUNPLANE_ACCESS_KEY in ${envFile} is set but RUNPLANE_SECRET_KEY is not; set both or neither`,
      );
    });
  });
});

Deno.test("loadConfig() never echoes a malformed secret", async (t) => {
  const cases: Array<[Record<string, string>, string]> = [
    [
      { RUNPLANE_TOKEN: "pw_SECRET\nsecond line" },
      "Invalid credentials in RUNPLANE_TOKEN: Credentials token must be one line of printable ASCII characters: it is sent in the Authorization header",
    ],
    [
      { RUNPLANE_TOKEN: "pw_SECRET", RUNPLANE_TIMEOUT_MS: "pw_SECRET" },
      "Cannot parse RUNPLANE_TIMEOUT_MS: value is not a number",
    ],
    [
      {
        RUNPLANE_USERNAME: "a",
        RUNPLANE_PASSWORD: "pw_SECRET",
        RUNPLANE_ENDPOINT: "pw_SECRET",
      },
      "Invalid RUNPLANE_ENDPOINT: expected an absolute http or https URL such as http://127.0.0.1:4200",
    ],
  ];
  for (const [env, message] of cases) {
    await t.step(message, () => {
      const error = configError(
        () => loadConfig({ envFile: false, env }),
        message,
      );
      assert.ok(!Deno.inspect(error).includes("pw_SECRET"));
    });
  }
});
