import assert from "node:assert/strict";
import fc from "fast-check";
import { loadConfig, type LoadConfigOptions } from "../../config/config.ts";
import { ConfigError } from "../../errors.ts";

const KEYS = [
  "ENDPOINT",
  "ENDPOINT_TYPE",
  "TENANT",
  "API_VERSION",
  "USER_AGENT",
  "HASH_TYPE",
  "TIMEOUT_MS",
  "MAX_RETRIES",
  "CA_CERT_FILE",
  "HOME",
  "TOKEN",
  "USERNAME",
  "PASSWORD",
  "ACCESS_KEY",
  "SECRET_KEY",
];
const SECRET_KEYS = ["TOKEN", "PASSWORD", "SECRET_KEY"];

/** Values worth trying: plausible ones, edge cases, and anything at all. */
const value = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: "binary" }),
  fc.constantFrom(
    "",
    " ",
    "0",
    "-1",
    "1e3",
    "NaN",
    "Infinity",
    "9007199254740993",
    "api",
    "SESSION",
    "sha512",
    "http://127.0.0.1:4200",
    "https://user:pw@example.com",
    "http://a, http://b",
    ",,,",
    "ftp://x",
    "http://[::1]:80/x?y#z",
    "line\nbreak",
    "\u0000",
  ),
  fc.webUrl(),
  fc.integer().map(String),
);

/** A secret value: anything around a marker that cannot appear by chance. */
const secretValue = fc.tuple(
  value,
  fc.string({
    unit: fc.constantFrom(..."0123456789abcdef"),
    minLength: 12,
    maxLength: 12,
  }),
  value,
).map(([before, hex, after]) => `${before}SECRET${hex}${after}`);
const MARKER = /SECRET[0-9a-f]{12}/g;

const env = fc.tuple(
  fc.dictionary(
    fc.oneof(
      fc.constantFrom(...KEYS).map((key) => `RUNPLANE_${key}`),
      fc.string().map((key) => `RUNPLANE_${key}`),
      fc.string(),
    ),
    value,
    { maxKeys: 8 },
  ),
  fc.dictionary(
    fc.constantFrom(...SECRET_KEYS).map((key) => `RUNPLANE_${key}`),
    secretValue,
    { maxKeys: 3 },
  ),
).map(([plain, secret]) => ({ ...plain, ...secret }));

/** An option of its declared type, or a value of another type altogether. */
function option<T>(typed: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: typed },
    { weight: 1, arbitrary: fc.anything() },
  );
}

const options = fc.record({
  endpoints: option(
    fc.oneof(
      value,
      fc.array(fc.oneof(value, fc.webUrl().map((u) => new URL(u)))),
    ),
  ),
  endpointType: option(value),
  tenant: option(value),
  apiVersion: option(value),
  userAgent: option(value),
  hashType: option(value),
  timeoutMs: option(fc.oneof(fc.integer(), fc.double())),
  maxRetries: option(fc.oneof(fc.integer(), fc.double())),
  caCertFile: option(value),
  home: option(value),
  prefixes: option(fc.array(fc.constantFrom("RUNPLANE_", "LEGACY_", "", "X"))),
}, { requiredKeys: [] });

/** Runs `loadConfig` and checks: a frozen config, or a `ConfigError` that names no secret. */
function check(input: LoadConfigOptions, secrets: string[]): void {
  let config;
  try {
    config = loadConfig(input);
  } catch (error) {
    assert.ok(
      error instanceof ConfigError,
      `loadConfig threw ${
        error instanceof Error ? error.name : typeof error
      }: ${error instanceof Error ? error.message : String(error)}`,
    );
    for (const secret of secrets) {
      assert.ok(!error.message.includes(secret), "the error quotes a secret");
    }
    return;
  }
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(config.endpoints));
  assert.ok(config.endpoints.length > 0);
  assert.ok(Number.isSafeInteger(config.timeoutMs) && config.timeoutMs >= 1);
  assert.ok(Number.isSafeInteger(config.maxRetries) && config.maxRetries >= 0);
  const shown = [
    String(config.credentials),
    JSON.stringify(config.credentials),
    Deno.inspect(config),
  ].join("\n");
  for (const secret of secrets) {
    assert.ok(!shown.includes(secret), "the config shows a secret");
  }
}

/** The markers in the secret variables' values. */
function secretsOf(record: Record<string, string>): string[] {
  return Object.entries(record)
    .filter(([name]) => SECRET_KEYS.includes(name.replace(/^RUNPLANE_/, "")))
    .flatMap(([, v]) => v.match(MARKER) ?? []);
}

Deno.test("loadConfig() returns a frozen config or throws ConfigError", async (t) => {
  await t.step("for any environment", () => {
    fc.assert(
      fc.property(env, (record) => {
        check({ env: record, envFile: false }, secretsOf(record));
      }),
      { numRuns: 1_500 },
    );
  });

  await t.step("for any options over any environment", () => {
    fc.assert(
      fc.property(options, env, (given, record) => {
        check(
          { ...given as LoadConfigOptions, env: record, envFile: false },
          secretsOf(record),
        );
      }),
      { numRuns: 1_500 },
    );
  });

  await t.step(
    "names the option when prefixes is not an array of strings",
    () => {
      for (const prefixes of [0, "RUNPLANE_", [1], {}]) {
        assert.throws(
          () =>
            loadConfig({
              prefixes: prefixes as unknown as string[],
              env: {},
              envFile: false,
            }),
          (error) =>
            error instanceof ConfigError &&
            error.message.startsWith("Invalid option prefixes:"),
        );
      }
    },
  );

  await t.step("for any .env file", async () => {
    const folder = await Deno.makeTempDir({ prefix: "runplane_envfile_" });
    try {
      const path = `${folder}/.env`;
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.string({ unit: "binary" }),
            fc.array(
              fc.tuple(fc.constantFrom(...KEYS), value).map(([k, v]) =>
                `RUNPLANE_${k}=${v}`
              ),
            ).map((lines) => lines.join("\n")),
          ),
          async (text) => {
            await Deno.writeTextFile(path, text);
            check({ env: {}, envFile: path }, []);
          },
        ),
        { numRuns: 300 },
      );
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  });
});
