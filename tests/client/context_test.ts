import assert from "node:assert/strict";
import type { Client } from "../../client/client.ts";
import {
  getActiveClient,
  getOrCreateClient,
  injectClient,
  withRequestClient,
} from "../../client/context.ts";
import { Credentials } from "../../auth/credentials.ts";
import { InvalidArgumentError } from "../../errors.ts";
import { json, startServer } from "../_helpers/test_server.ts";
import { testClient } from "../_helpers/client.ts";
import { ROOT, runDeno } from "../_helpers/subprocess.ts";

/** A server that answers with the bearer token each request carried. */
function echoServer() {
  return startServer((request) =>
    json({ token: request.headers.get("authorization")?.slice(7) ?? null })
  );
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test("Client.session() returns what fn returns and makes the client active inside it", async () => {
  await using client = testClient("http://127.0.0.1:9");
  assert.equal(getActiveClient(), undefined);
  const result = await client.session(async (given) => {
    assert.equal(given, client);
    assert.equal(getActiveClient(), client);
    await delay(1);
    assert.equal(getActiveClient(), client);
    return 42;
  });
  assert.equal(result, 42);
  assert.equal(await client.session(() => "sync"), "sync");
  assert.equal(getActiveClient(), undefined);
});

Deno.test("Client.session() restores the outer client after a nested session, even one that throws", async () => {
  await using outer = testClient("http://127.0.0.1:9");
  await using inner = testClient("http://127.0.0.1:9");
  await outer.session(async () => {
    await inner.session(async () => {
      await delay(1);
      assert.equal(getActiveClient(), inner);
    });
    assert.equal(getActiveClient(), outer);
    await assert.rejects(
      inner.session(async () => {
        await delay(1);
        throw new Error("inner failed");
      }),
      { message: "inner failed" },
    );
    assert.equal(getActiveClient(), outer);
  });
  assert.equal(getActiveClient(), undefined);
});

Deno.test("getActiveClient() never crosses between 1,000 interleaved sessions", async () => {
  await using server = echoServer();
  const clients = Array.from(
    { length: 1_000 },
    (_, i) =>
      testClient(server.url, {
        credentials: new Credentials({ token: `tok-${i}` }),
      }),
  );
  try {
    const results = await Promise.all(
      clients.map((client, i) =>
        client.session(async () => {
          const check = (step: string) =>
            assert.equal(getActiveClient(), client, `session ${i}, ${step}`);
          check("start");
          await delay(i % 5);
          check("after setTimeout");
          await new Promise<void>((resolve) =>
            queueMicrotask(() => {
              check("in queueMicrotask");
              resolve();
            })
          );
          await new Promise<void>((resolve) =>
            setTimeout(() => {
              check("in a setTimeout callback");
              resolve();
            }, (i * 7) % 3)
          );
          const answers = await Promise.all([
            getActiveClient()!.get<{ token: string }>("/echo"),
            (async () => {
              await delay(i % 3);
              check("in Promise.all");
              return getActiveClient()!.get<{ token: string }>("/echo");
            })(),
          ]);
          check("after the requests");
          return answers.map((answer) => answer.token);
        })
      ),
    );
    results.forEach((tokens, i) => {
      assert.deepEqual(tokens, [`tok-${i}`, `tok-${i}`]);
    });
    assert.equal(server.requests.length, 2_000);
    const perToken = new Map<string | null, number>();
    for (const request of server.requests) {
      const token = request.headers.get("authorization");
      perToken.set(token, (perToken.get(token) ?? 0) + 1);
    }
    assert.equal(perToken.size, 1_000);
    assert.ok([...perToken.values()].every((count) => count === 2));
    assert.equal(getActiveClient(), undefined);
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
});

Deno.test("getOrCreateClient() returns the given client, else the active one, both as found", async () => {
  await using given = testClient("http://127.0.0.1:9");
  await using active = testClient("http://127.0.0.1:9");
  assert.deepEqual(getOrCreateClient(given), [given, true]);
  await active.session(() => {
    const [client, found] = getOrCreateClient();
    assert.equal(client, active);
    assert.equal(found, true);
    assert.deepEqual(getOrCreateClient(given), [given, true]);
  });
});

Deno.test("getOrCreateClient() and injectClient() create a client from the environment", async () => {
  await using server = echoServer();
  const code = `
    import { getOrCreateClient, injectClient } from "${ROOT}client/context.ts";
    const [client, found] = getOrCreateClient();
    const answer = await client.get("/echo");
    await client.close();
    let seen;
    const fn = injectClient(async (name, options) => {
      seen = options.client;
      return name + ":" + options.extra + ":" + (await options.client.get("/echo")).token;
    });
    const result = await fn("x", { extra: "kept" });
    console.log(JSON.stringify({
      found,
      mode: client.credentials.mode,
      endpoint: client.config.endpoints[0].href,
      answer,
      result,
      createdClosed: seen.closed,
    }));
  `;
  const result = await runDeno(code, {
    env: { RUNPLANE_TOKEN: "rp_env", RUNPLANE_ENDPOINT: server.url },
    flags: ["--allow-env", "--allow-read", "--allow-net=127.0.0.1"],
  });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), {
    found: false,
    mode: "token",
    endpoint: `${server.url}/`,
    answer: { token: "rp_env" },
    result: "x:kept:rp_env",
    createdClosed: true,
  });
});

Deno.test("getOrCreateClient() throws ConfigError when the environment holds no credentials", async () => {
  const code = `
    import { getOrCreateClient } from "${ROOT}client/context.ts";
    import { ConfigError } from "${ROOT}errors.ts";
    try {
      getOrCreateClient();
      console.log("created");
    } catch (error) {
      console.log(JSON.stringify({ config: error instanceof ConfigError, message: error.message }));
    }
  `;
  const result = await runDeno(code, {
    env: { HOME: "/nonexistent-runplane-home" },
    flags: ["--allow-env", "--allow-read"],
  });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), {
    config: true,
    message:
      "No credentials found: set RUNPLANE_TOKEN, or RUNPLANE_USERNAME and RUNPLANE_PASSWORD, or RUNPLANE_ACCESS_KEY and RUNPLANE_SECRET_KEY (in the environment or a .env file), or save credentials with saveCredentials()",
  });
});

Deno.test("injectClient() passes the given or active client and never closes it", async () => {
  await using server = echoServer();
  await using given = testClient(server.url, {
    credentials: new Credentials({ token: "given" }),
  });
  await using active = testClient(server.url, {
    credentials: new Credentials({ token: "active" }),
  });
  const whoAmI = injectClient(
    async (prefix: string, options?: { client?: Client; suffix?: string }) => {
      const { token } = await options!.client!.get<{ token: string }>("/echo");
      return `${prefix}${token}${options?.suffix ?? ""}`;
    },
  );
  assert.equal(await whoAmI("-", { client: given, suffix: "!" }), "-given!");
  assert.equal(await active.session(() => whoAmI(">")), ">active");
  assert.equal(
    await active.session(() => whoAmI(">", { client: given })),
    ">given",
  );
  assert.equal(given.closed, false);
  assert.equal(active.closed, false);
});

Deno.test("injectClient() rejects a function without an options parameter and a non-object option", async () => {
  assert.throws(
    () => injectClient(() => Promise.resolve(1)),
    (error: unknown) => {
      assert.ok(error instanceof InvalidArgumentError);
      assert.equal(
        error.message,
        "injectClient needs a function whose last parameter is an options object: declare it as options?: { client?: Client }",
      );
      return true;
    },
  );
  const fn = injectClient(
    (_name: string, _options?: { client?: Client }) => Promise.resolve(1),
  );
  await assert.rejects(
    fn("x", "oops" as never),
    (error: unknown) => {
      assert.ok(error instanceof InvalidArgumentError);
      assert.equal(
        error.message,
        "Argument 2 must be an options object such as { client }",
      );
      return true;
    },
  );
});

Deno.test("withRequestClient() gives each concurrent request its own client, and none without credentials", async () => {
  await using api = echoServer();
  const seen: Client[] = [];
  const handler = withRequestClient(async (request) => {
    const client = getActiveClient();
    if (client === undefined) return new Response("anonymous");
    seen.push(client);
    await delay(Number(new URL(request.url).searchParams.get("wait")));
    assert.equal(getActiveClient(), client);
    const { token } = await client.get<{ token: string }>("/echo");
    return new Response(token);
  }, {
    credentials: (request) => {
      const token = request.headers.get("x-user-token");
      return token ? new Credentials({ token }) : undefined;
    },
    config: { endpoints: api.url, envFile: false, env: {} },
  });
  await using app = startServer((_recorded, _index, request) =>
    handler(request, undefined)
  );
  const answers = await Promise.all(
    Array.from({ length: 100 }, async (_, i) => {
      const headers: HeadersInit = i % 10 === 0
        ? {}
        : { "x-user-token": `user-${i}` };
      const response = await fetch(`${app.url}/?wait=${i % 4}`, { headers });
      return await response.text();
    }),
  );
  answers.forEach((answer, i) => {
    assert.equal(answer, i % 10 === 0 ? "anonymous" : `user-${i}`);
  });
  assert.equal(new Set(seen).size, 90, "a new client for every request");
  assert.ok(seen.every((client) => client.closed), "every client is closed");
});

Deno.test("withRequestClient() runs an anonymous request with no active client even inside a session", async () => {
  await using outer = testClient("http://127.0.0.1:9");
  const handler = withRequestClient(() => {
    return new Response(getActiveClient() === undefined ? "none" : "leaked");
  }, { credentials: () => undefined, config: { envFile: false, env: {} } });
  const response = await outer.session(() =>
    handler(new Request("http://localhost/"), undefined)
  );
  assert.equal(await response.text(), "none");
});

Deno.test("withRequestClient() rejects options without a credentials function", () => {
  assert.throws(
    () => withRequestClient(() => new Response(), {} as never),
    (error: unknown) => {
      assert.ok(error instanceof InvalidArgumentError);
      assert.equal(
        error.message,
        "withRequestClient needs options.credentials: a function from a Request to Credentials or undefined",
      );
      return true;
    },
  );
});
