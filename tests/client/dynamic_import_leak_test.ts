// Deno 2.9 leaks an AsyncLocalStorage store into the root context after the
// first-ever dynamic import() of a module inside run(): a later Deno.serve
// handler starts with that store. These tests reproduce the flaw with a bare
// AsyncLocalStorage, then show that the client's scope is not fooled by it.

import assert from "node:assert/strict";
import { AsyncLocalStorage } from "node:async_hooks";
import {
  Client,
  Credentials,
  getActiveClient,
  withRequestClient,
} from "../../mod.ts";

const config = { envFile: false as const, env: {} };

/** A module no test has imported yet, so its import is a first-time one. */
async function freshModule(): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(path, "export const loaded = true;\n");
  return new URL(`file://${path}`).href;
}

/** Starts a server whose handler reports what it sees. */
function serve(handler: (request: Request) => Response | Promise<Response>) {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    handler,
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/`,
    close: () => server.shutdown(),
  };
}

Deno.test("the runtime flaw: a bare store leaks into a later Deno.serve handler", async () => {
  const storage = new AsyncLocalStorage<string>();
  const specifier = await freshModule();
  await storage.run("leaked", async () => {
    await import(specifier);
  });
  const server = serve(() => new Response(String(storage.getStore())));
  try {
    const seen = await (await fetch(server.url)).text();
    // When a Deno release fixes the flaw this reads "undefined"; the client's
    // defences below must hold either way.
    assert.ok(seen === "leaked" || seen === "undefined", seen);
  } finally {
    await server.close();
  }
});

Deno.test("getActiveClient() ignores a scope that leaked after its session ended", async () => {
  const client = new Client({
    credentials: new Credentials({ token: "leak-a" }),
    config,
  });
  const specifier = await freshModule();
  await client.session(async () => {
    await import(specifier);
    assert.equal(getActiveClient(), client);
  });
  const server = serve(() =>
    new Response(getActiveClient() === undefined ? "none" : "leaked")
  );
  try {
    assert.equal(await (await fetch(server.url)).text(), "none");
  } finally {
    await server.close();
    await client.close();
  }
});

Deno.test("withRequestClient() gives each request its own client while another request's scope leaks", async () => {
  const specifier = await freshModule();
  let releaseFirst!: () => void;
  const firstMayFinish = new Promise<void>((resolve) => {
    releaseFirst = resolve;
  });
  let firstImported!: () => void;
  const importedInFirst = new Promise<void>((resolve) => {
    firstImported = resolve;
  });
  const handler = withRequestClient(async (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/first") {
      // A first-time dynamic import inside this request's scope, while the
      // request is still in flight: the flaw leaks this scope to the root.
      await import(specifier);
      firstImported();
      await firstMayFinish;
    }
    const active = getActiveClient();
    return Response.json({
      mode: active?.credentials.mode ?? null,
      matches: active === undefined
        ? null
        : request.headers.get("authorization") ===
          `Bearer ${await active.getAuthToken()}`,
    });
  }, {
    credentials: (request) => {
      const token = request.headers.get("authorization")?.slice(7);
      return token ? new Credentials({ token }) : undefined;
    },
    config,
  });
  const server = serve((request) => handler(request, undefined));
  try {
    const first = fetch(`${server.url}first`, {
      headers: { authorization: "Bearer user-one" },
    });
    await importedInFirst;
    const second = await fetch(`${server.url}second`, {
      headers: { authorization: "Bearer user-two" },
    });
    assert.deepEqual(await second.json(), { mode: "token", matches: true });
    const anonymous = await fetch(`${server.url}anonymous`);
    assert.deepEqual(await anonymous.json(), { mode: null, matches: null });
    releaseFirst();
    assert.deepEqual(await (await first).json(), {
      mode: "token",
      matches: true,
    });
  } finally {
    releaseFirst();
    await server.close();
  }
});
