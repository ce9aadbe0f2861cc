import assert from "node:assert/strict";
import {
  loadSavedCredentials,
  saveCredentials,
} from "../../config/credentials_file.ts";
import { Credentials } from "../../auth/credentials.ts";
import { Client } from "../../client/client.ts";
import { ConfigError, InvalidArgumentError } from "../../errors.ts";
import { json, startServer } from "../_helpers/test_server.ts";
import { FAST_BACKOFF, rejection } from "../_helpers/client.ts";

const ENDPOINT = "http://127.0.0.1:4200";

async function withHome<T>(fn: (home: string) => Promise<T>): Promise<T> {
  const parent = await Deno.makeTempDir({ prefix: "runplane_home_" });
  try {
    return await fn(`${parent}/.runplane`);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
}

Deno.test("saveCredentials() writes a 0600 file in a 0700 folder that loadSavedCredentials() reads", async (t) => {
  const cases = [
    new Credentials({ token: "rp_saved" }),
    new Credentials({ username: "alice", password: "pw" }),
    new Credentials({ accessKey: "AK1", secretKey: "sk" }),
  ];
  for (const credentials of cases) {
    await t.step(credentials.mode, async () => {
      await withHome(async (home) => {
        const path = await saveCredentials(credentials, {
          home,
          endpoint: ENDPOINT,
        });
        assert.equal(path, `${home}/credentials.json`);
        assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
        assert.equal((await Deno.stat(home)).mode! & 0o777, 0o700);
        const loaded = loadSavedCredentials({ home, endpoint: ENDPOINT });
        assert.ok(loaded?.equals(credentials));
        assert.deepEqual(
          [...Deno.readDirSync(home)].map((entry) => entry.name),
          ["credentials.json"],
          "no temporary file is left behind",
        );
      });
    });
  }
  await t.step("saving again replaces the file", async () => {
    await withHome(async (home) => {
      await saveCredentials(cases[0], { home, endpoint: ENDPOINT });
      await saveCredentials(cases[1], { home, endpoint: ENDPOINT });
      assert.equal(
        loadSavedCredentials({ home, endpoint: ENDPOINT })?.mode,
        "basic",
      );
    });
  });
});

Deno.test("saveCredentials() refuses env credentials and a missing home", async () => {
  const env = await rejection(() =>
    saveCredentials(new Credentials({ useEnv: true }), { home: "/tmp/x" })
  );
  assert.ok(env instanceof InvalidArgumentError);
  assert.match(env.message, /^Cannot save \{ useEnv: true \} credentials/);
  const noHome = await rejection(() =>
    saveCredentials(new Credentials({ token: "t" }), { endpoint: ENDPOINT })
  );
  assert.ok(noHome instanceof InvalidArgumentError);
  assert.equal(
    noHome.message,
    "Cannot save credentials without a home folder: set RUNPLANE_HOME or pass home",
  );
});

Deno.test("loadSavedCredentials() returns undefined without a file and throws ConfigError for a bad one", async () => {
  const endpoint = ENDPOINT;
  assert.equal(loadSavedCredentials({ endpoint }), undefined);
  assert.equal(
    loadSavedCredentials({ home: "/nonexistent", endpoint }),
    undefined,
  );
  await withHome(async (home) => {
    await Deno.mkdir(home);
    for (
      const text of [
        "not json",
        `{"endpoints":{"${ENDPOINT}":{"username":"alice"}}}`,
        `{"endpoints":{"${ENDPOINT}":{"useEnv":true}}}`,
        `{"endpoints":{"${ENDPOINT}":null}}`,
      ]
    ) {
      await Deno.writeTextFile(`${home}/credentials.json`, text);
      assert.throws(
        () => loadSavedCredentials({ home, endpoint }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.equal(
            error.message,
            `Cannot read saved credentials in ${home}/credentials.json: the file is not valid; log in again or delete it`,
          );
          return true;
        },
      );
    }
  });
});

Deno.test("Client with { useEnv: true } reads the environment first, then the saved file", async () => {
  await using server = startServer(() => json({}));
  await withHome(async (home) => {
    await saveCredentials(new Credentials({ token: "rp_saved" }), {
      home,
      endpoint: server.url,
    });
    const make = (env: Record<string, string>) =>
      new Client({
        credentials: new Credentials({
          useEnv: true,
          extraHeaders: { "X-Team": "ml" },
        }),
        config: { endpoints: server.url, envFile: false, env, home },
        retryBackoff: FAST_BACKOFF,
      });
    await using fromEnv = make({ RUNPLANE_TOKEN: "rp_env" });
    await using fromFile = make({});
    await using fromHomeVariable = new Client({
      credentials: new Credentials({ useEnv: true }),
      config: {
        endpoints: server.url,
        envFile: false,
        env: { RUNPLANE_HOME: home },
      },
    });
    assert.equal(fromEnv.credentials.mode, "token");
    assert.deepEqual({ ...fromEnv.credentials.extraHeaders }, {
      "x-team": "ml",
    });
    await fromEnv.get("/whoami");
    await fromFile.get("/whoami");
    await fromHomeVariable.get("/whoami");
    assert.deepEqual(
      server.requests.map((r) => [
        r.headers.get("authorization"),
        r.headers.get("x-team"),
      ]),
      [
        ["Bearer rp_env", "ml"],
        ["Bearer rp_saved", "ml"],
        ["Bearer rp_saved", null],
      ],
    );
  });
});

Deno.test("Client with { useEnv: true } and no credentials anywhere throws ConfigError saying how to fix it", async () => {
  await withHome(async (home) => {
    const error = await rejection(() =>
      new Client({
        credentials: new Credentials({ useEnv: true }),
        config: { envFile: false, env: {}, home },
      })
    );
    assert.ok(error instanceof ConfigError);
    assert.equal(
      error.message,
      "No credentials found: set RUNPLANE_TOKEN, or RUNPLANE_USERNAME and RUNPLANE_PASSWORD, or RUNPLANE_ACCESS_KEY and RUNPLANE_SECRET_KEY (in the environment or a .env file), or save credentials with saveCredentials()",
    );
  });
});

Deno.test("saveCredentials() creates a missing home folder with mode 0700 and leaves an existing one as it is", async (t) => {
  await t.step("a missing folder is made 0700", async () => {
    await withHome(async (home) => {
      await saveCredentials(new Credentials({ token: "rp_new" }), {
        home,
        endpoint: ENDPOINT,
      });
      assert.equal((await Deno.stat(home)).mode! & 0o7777, 0o700);
    });
  });
  await t.step("a shared folder keeps its sticky bit", async () => {
    const home = await Deno.makeTempDir();
    try {
      await Deno.chmod(home, 0o1777);
      await saveCredentials(new Credentials({ token: "rp_file_TOKEN" }), {
        home,
        endpoint: ENDPOINT,
      });
      assert.equal((await Deno.stat(home)).mode! & 0o7777, 0o1777);
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  });
});

Deno.test("saveCredentials() keeps one credential per endpoint, and loadSavedCredentials() returns only that endpoint's", async () => {
  await withHome(async (home) => {
    const a = new Credentials({ token: "rp_for_a" });
    const b = new Credentials({ accessKey: "AKB", secretKey: "sk_b" });
    await saveCredentials(a, { home, endpoint: "http://127.0.0.1:4200/" });
    await saveCredentials(b, { home, endpoint: new URL("https://b.example") });
    assert.ok(loadSavedCredentials({ home, endpoint: ENDPOINT })?.equals(a));
    assert.ok(
      loadSavedCredentials({ home, endpoint: "https://b.example" })?.equals(b),
    );
    assert.equal(
      loadSavedCredentials({ home, endpoint: "https://evil.example" }),
      undefined,
    );
    assert.equal(
      loadSavedCredentials({
        home,
        endpoint: [ENDPOINT, "https://b.example"],
      }),
      undefined,
      "two endpoints with different credentials share none",
    );
    const noEndpoint = await rejection(() => loadSavedCredentials({ home }));
    assert.ok(noEndpoint instanceof InvalidArgumentError);
  });
});

Deno.test("Client with { useEnv: true } sends a saved credential only to the endpoint it was saved for", async (t) => {
  await using saved = startServer(() => json({}));
  await using other = startServer(() => json({}));
  await withHome(async (home) => {
    await saveCredentials(new Credentials({ token: "rp_saved_secret" }), {
      home,
      endpoint: saved.url,
    });
    await t.step("a .env file that names another endpoint", async () => {
      const folder = await Deno.makeTempDir();
      try {
        await Deno.writeTextFile(
          `${folder}/.env`,
          `RUNPLANE_ENDPOINT=${other.url}\n`,
        );
        const error = await rejection(() =>
          new Client({
            credentials: new Credentials({ useEnv: true }),
            config: { envFile: `${folder}/.env`, env: {}, home },
          })
        );
        assert.ok(error instanceof ConfigError, String(error));
        assert.equal(
          error.message,
          `Saved credentials in ${home}/credentials.json are for ${saved.url}, not for ${other.url}: a saved credential is sent only to the endpoint it was saved for; log in to this endpoint, or fix RUNPLANE_ENDPOINT`,
        );
        assert.ok(!error.message.includes("rp_saved_secret"));
        assert.equal(other.requests.length, 0);
      } finally {
        await Deno.remove(folder, { recursive: true });
      }
    });
    await t.step("a file of the old form, with no endpoint", async () => {
      await Deno.writeTextFile(
        `${home}/credentials.json`,
        '{"token":"rp_old"}',
      );
      const error = await rejection(() =>
        new Client({
          credentials: new Credentials({ useEnv: true }),
          config: { endpoints: saved.url, envFile: false, env: {}, home },
        })
      );
      assert.ok(error instanceof ConfigError, String(error));
      assert.equal(
        error.message,
        `Cannot use saved credentials in ${home}/credentials.json: they do not say which endpoint they are for; log in again`,
      );
    });
  });
});
