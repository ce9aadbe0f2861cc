import assert from "node:assert/strict";
import { Credentials } from "../../auth/credentials.ts";
import { InvalidArgumentError } from "../../errors.ts";
import { loadConfig } from "../../config/config.ts";
import { Client } from "../../client/client.ts";
import type { RequestLogEvent } from "../../transport/transport.ts";
import { json, startServer } from "../_helpers/test_server.ts";
import { rejection, testClient } from "../_helpers/client.ts";

const SECRETS = ["tok_SECRET_1", "pw_SECRET_2", "sk_SECRET_3"];

function assertNoSecret(text: string, where: string) {
  for (const secret of SECRETS) {
    assert.ok(!text.includes(secret), `${where} shows a secret: ${text}`);
  }
}

function everyForm(value: unknown): Record<string, string> {
  return {
    "String()": String(value),
    "template literal": `${value}`,
    "JSON.stringify()": JSON.stringify(value),
    "Deno.inspect()": Deno.inspect(value),
    "Deno.inspect() deep": Deno.inspect(value, {
      depth: 10,
      showHidden: true,
      getters: true,
    }),
    "console.log()": Deno.inspect([value], { colors: false }),
  };
}

function assertInvalid(init: unknown, message: RegExp | string) {
  assert.throws(
    () => new Credentials(init as never),
    (error: unknown) => {
      assert.ok(error instanceof InvalidArgumentError, String(error));
      if (typeof message === "string") assert.equal(error.message, message);
      else assert.match(error.message, message);
      return true;
    },
  );
}

Deno.test("Credentials() rejects anything but exactly one complete auth mode", async (t) => {
  await t.step("no mode", () => {
    assertInvalid(
      {},
      "Credentials need exactly one auth mode, and none was given: pass { token }, { username, password }, { accessKey, secretKey } or { useEnv: true }",
    );
    assertInvalid({ extraHeaders: { "x-a": "1" } }, /none was given/);
  });
  await t.step("two modes", () => {
    assertInvalid(
      { token: "t", username: "u", password: "p" },
      "Credentials need exactly one auth mode, but 2 were given (token, basic): keep one",
    );
    assertInvalid(
      { token: "t", useEnv: true },
      /2 were given \(token, env\)/,
    );
    assertInvalid(
      { username: "u", password: "p", accessKey: "a", secretKey: "s" },
      /2 were given \(basic, keypair\)/,
    );
  });
  await t.step("incomplete pairs", () => {
    assertInvalid(
      { username: "alice" },
      "Credentials with a username need a password too",
    );
    assertInvalid(
      { password: "pw" },
      "Credentials with a password need a username too",
    );
    assertInvalid({ accessKey: "AK1" }, /accessKey need a secretKey too$/);
    assertInvalid({ secretKey: "sk" }, /secretKey need a accessKey too$/);
  });
  await t.step("empty or non-string values", () => {
    assertInvalid(
      { token: "" },
      "Credentials token must be a non-empty string",
    );
    assertInvalid(
      { username: "", password: "p" },
      "Credentials username must be a non-empty string",
    );
    assertInvalid(
      { username: "u", password: "" },
      "Credentials password must be a non-empty string",
    );
    assertInvalid(
      { accessKey: "a", secretKey: "" },
      "Credentials secretKey must be a non-empty string",
    );
    assertInvalid(
      { token: 42 },
      "Credentials token must be a non-empty string",
    );
    assertInvalid(
      { token: null },
      "Credentials token must be a non-empty string",
    );
    for (const token of ["pw_SECRET_2\nline", "tab\there", "caf\u00e9"]) {
      assertInvalid(
        { token },
        "Credentials token must be one line of printable ASCII characters: it is sent in the Authorization header",
      );
    }
  });
  await t.step("useEnv that is not true", () => {
    for (const useEnv of [false, "true", 1]) {
      assertInvalid(
        { useEnv },
        "Credentials useEnv must be true: pass { useEnv: true } to read credentials from the environment",
      );
    }
  });
  await t.step("not an object", () => {
    for (const init of [undefined, null, "rp_token", 42]) {
      assertInvalid(
        init,
        /^Credentials need an object with exactly one auth mode/,
      );
    }
  });
  await t.step("invalid extraHeaders, without quoting them", () => {
    const error = (() => {
      try {
        new Credentials({
          token: "t",
          extraHeaders: { "x-key": "pw_SECRET_2\n" + "x" },
        });
      } catch (error) {
        return error;
      }
    })();
    assert.ok(error instanceof InvalidArgumentError);
    assert.equal(
      error.message,
      "Invalid value of header x-key (Credentials extraHeaders): a header value must be one line of visible characters",
    );
    assertNoSecret(Deno.inspect(error), "the error");
  });
});

Deno.test("Credentials() sets mode and freezes the object", async (t) => {
  const cases: Array<[Credentials, string]> = [
    [new Credentials({ token: "t" }), "token"],
    [new Credentials({ username: "alice", password: "p" }), "basic"],
    [new Credentials({ accessKey: "AK1", secretKey: "s" }), "keypair"],
    [new Credentials({ useEnv: true }), "env"],
  ];
  for (const [credentials, mode] of cases) {
    await t.step(mode, () => {
      assert.equal(credentials.mode, mode);
      assert.ok(Object.isFrozen(credentials));
      assert.ok(Object.isFrozen(credentials.extraHeaders));
      assert.throws(() => {
        (credentials as { mode: string }).mode = "token";
      }, TypeError);
    });
  }
  assert.equal(cases[1][0].username, "alice");
  assert.equal(cases[2][0].accessKey, "AK1");
});

Deno.test("Credentials.equals() compares mode and values but not extraHeaders", () => {
  const a = new Credentials({ token: "t1", extraHeaders: { "X-A": "1" } });
  assert.ok(a.equals(new Credentials({ token: "t1" })));
  assert.ok(!a.equals(new Credentials({ token: "t2" })));
  const basic = new Credentials({ username: "u", password: "p" });
  assert.ok(basic.equals(new Credentials({ username: "u", password: "p" })));
  assert.ok(!basic.equals(new Credentials({ username: "u", password: "q" })));
  assert.ok(!basic.equals(new Credentials({ username: "v", password: "p" })));
  const keys = new Credentials({ accessKey: "a", secretKey: "s" });
  assert.ok(!keys.equals(new Credentials({ accessKey: "a", secretKey: "t" })));
  assert.ok(!a.equals(basic));
  assert.ok(
    new Credentials({ useEnv: true }).equals(new Credentials({ useEnv: true })),
  );
});

Deno.test("Credentials.withExtraHeaders() keeps the secret and replaces the headers", () => {
  const base = new Credentials({ token: "t1", extraHeaders: { "X-Old": "1" } });
  const tagged = base.withExtraHeaders({ "X-Team": "ml" });
  assert.ok(tagged.equals(base));
  assert.deepEqual({ ...tagged.extraHeaders }, { "x-team": "ml" });
});

Deno.test("Credentials never show a secret in any string form", () => {
  const all = [
    new Credentials({
      token: "tok_SECRET_1",
      extraHeaders: { "X-Team": "ml" },
    }),
    new Credentials({ username: "alice", password: "pw_SECRET_2" }),
    new Credentials({ accessKey: "AK1", secretKey: "sk_SECRET_3" }),
  ];
  for (const credentials of all) {
    for (const [where, text] of Object.entries(everyForm(credentials))) {
      assertNoSecret(text, where);
      assert.match(text, /\*\*\*/, `${where} shows no placeholder: ${text}`);
    }
  }
  assert.deepEqual(JSON.parse(JSON.stringify(all[1])), {
    mode: "basic",
    username: "alice",
    password: "***",
  });
  assert.equal(
    String(all[0]),
    "Credentials(mode=token, token=***, extraHeaders=x-team)",
  );
});

Deno.test("Config and Client never show the secrets of the credentials they hold", async () => {
  const config = loadConfig({
    envFile: false,
    env: { RUNPLANE_USERNAME: "alice", RUNPLANE_PASSWORD: "pw_SECRET_2" },
  });
  assert.equal(config.credentials?.mode, "basic");
  for (const [where, text] of Object.entries(everyForm(config))) {
    assertNoSecret(text, `Config ${where}`);
  }
  for (
    const credentials of [
      new Credentials({ token: "tok_SECRET_1" }),
      new Credentials({ accessKey: "AK1", secretKey: "sk_SECRET_3" }),
      new Credentials({ useEnv: true }),
    ]
  ) {
    await using client = new Client({
      credentials,
      config,
    });
    for (const [where, text] of Object.entries(everyForm(client))) {
      assertNoSecret(text, `Client ${where}`);
    }
  }
});

Deno.test("Client logger events show Authorization and Cookie as ***", async (t) => {
  await using server = startServer(() => json({ ok: true }));
  const cases: Array<[string, Credentials, string?]> = [
    ["bearer", new Credentials({ token: "tok_SECRET_1" })],
    ["basic", new Credentials({ username: "alice", password: "pw_SECRET_2" })],
    [
      "keypair",
      new Credentials({ accessKey: "AK1", secretKey: "sk_SECRET_3" }),
    ],
  ];
  for (const [name, credentials] of cases) {
    await t.step(name, async () => {
      const events: RequestLogEvent[] = [];
      await using client = testClient(server.url, {
        credentials,
        logger: (event) => events.push(event),
      });
      await client.get("/projects", {
        headers: { cookie: "sid=pw_SECRET_2" },
      });
      assert.equal(events.length, 1);
      assert.equal(events[0].headers.authorization, "***");
      assert.equal(events[0].headers.cookie, "***");
      assert.equal(events[0].status, 200);
      assert.equal(events[0].attempt, 1);
      assertNoSecret(JSON.stringify(events), "the log");
      assertNoSecret(Deno.inspect(events, { depth: 10 }), "the log");
    });
  }
  // The server did get the real header: redaction is only in the log.
  assert.equal(
    server.requests[0].headers.get("authorization"),
    "Bearer tok_SECRET_1",
  );
});

Deno.test("Client errors never show the secret of the credentials", async () => {
  await using server = startServer(() =>
    json({ error: { code: "unauthorized", message: "Bad token" } }, {
      status: 401,
    })
  );
  await using client = testClient(server.url, {
    credentials: new Credentials({ token: "tok_SECRET_1" }),
  });
  const error = await rejection(() => client.get("/projects"));
  assert.ok(error instanceof Error);
  assertNoSecret(String(error), "the error");
  assertNoSecret(error.stack ?? "", "the stack");
  assertNoSecret(Deno.inspect(error, { depth: 10 }), "the inspected error");
});

Deno.test("Credentials extraHeaders are sent, and per-call headers and Authorization win", async () => {
  await using server = startServer(() => json({}));
  await using client = testClient(server.url, {
    credentials: new Credentials({
      token: "tok_SECRET_1",
      extraHeaders: {
        "X-Team": "ml",
        "X-Trace": "from-credentials",
        Authorization: "Bearer forged",
      },
    }),
  });
  await client.get("/a");
  await client.get("/b", {
    headers: { "X-Trace": "per-call", Authorization: "Bearer per-call" },
  });
  const [first, second] = server.requests;
  assert.equal(first.headers.get("x-team"), "ml");
  assert.equal(first.headers.get("x-trace"), "from-credentials");
  assert.equal(first.headers.get("authorization"), "Bearer tok_SECRET_1");
  assert.equal(second.headers.get("x-team"), "ml");
  assert.equal(second.headers.get("x-trace"), "per-call");
  assert.equal(second.headers.get("authorization"), "Bearer tok_SECRET_1");
});

Deno.test("Credentials refuses a username with a colon, which HTTP Basic cannot carry", () => {
  assert.throws(
    () => new Credentials({ username: "team:alice", password: "pw" }),
    (error: unknown) =>
      error instanceof InvalidArgumentError &&
      error.message === "Credentials username must not contain a colon",
  );
});
