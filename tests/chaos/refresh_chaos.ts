import assert from "node:assert/strict";
import { REFRESH_MARGIN_MS } from "../../auth/token_refresher.ts";
import { makeClient } from "./_helpers.ts";

const CALLS = 1_000;

interface AuthServer extends AsyncDisposable {
  origin: string;
  /** `/auth/refresh` calls received. */
  readonly refreshes: number;
  /** Which access token each `/work/<n>` call carried. */
  used: Map<number, string>;
  /** Calls answered 401. */
  readonly rejected: number;
}

/**
 * A purpose-built auth server. `/auth/tenant-login` grants `access-1`, which
 * the server honours for `validMs` and announces as expiring at
 * `announcedMs` from now. `/auth/refresh` (slow, to widen races) takes only
 * the current refresh token and grants the next access token for an hour.
 */
function startAuthServer(
  validMs: number,
  announcedMs: number,
): AuthServer {
  let refreshes = 0;
  let rejected = 0;
  let generation = 1;
  let validUntil = 0;
  const used = new Map<number, string>();
  const tenant = {
    id: "t1",
    slug: "acme",
    name: "Acme",
    createdAt: new Date().toISOString(),
  };
  const grant = (lifetimeMs: number, announced: number) => {
    validUntil = Date.now() + lifetimeMs;
    return {
      accessToken: `access-${generation}`,
      refreshToken: `refresh-${generation}`,
      expiresAt: new Date(Date.now() + announced).toISOString(),
      tenant,
    };
  };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      const path = new URL(request.url).pathname;
      if (path === "/api/v1/auth/tenant-login") {
        if (request.headers.get("authorization") !== "Bearer user-token") {
          return new Response(null, { status: 401 });
        }
        return Response.json(grant(validMs, announcedMs));
      }
      if (path === "/api/v1/auth/refresh") {
        refreshes++;
        const { refreshToken } = await request.json();
        await new Promise((resolve) => setTimeout(resolve, 50));
        if (refreshToken !== `refresh-${generation}`) {
          return Response.json(
            { error: { code: "unauthenticated", message: "Used token" } },
            { status: 401 },
          );
        }
        generation++;
        return Response.json(grant(3_600_000, 3_600_000));
      }
      const token = request.headers.get("authorization")?.slice(7) ?? "";
      if (token !== `access-${generation}` || Date.now() > validUntil) {
        rejected++;
        return Response.json(
          { error: { code: "unauthenticated", message: "Expired" } },
          { status: 401 },
        );
      }
      used.set(Number(path.split("/").pop()), token);
      return Response.json({ ok: true });
    },
  );
  return {
    origin: `http://127.0.0.1:${server.addr.port}`,
    get refreshes() {
      return refreshes;
    },
    get rejected() {
      return rejected;
    },
    used,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("1,000 concurrent calls across a token expiry make exactly one refresh", async (t) => {
  await t.step("when the client sees the expiry coming", async () => {
    // The token enters the refresh margin about 1 s after the login.
    await using server = startAuthServer(60_000, REFRESH_MARGIN_MS + 1_000);
    await using client = makeClient(server.origin, { token: "user-token" });
    await client.loginToTenant({ slug: "acme" });
    // Ten waves of 100 calls, 200 ms apart, overlapping the expiry.
    const calls: Promise<unknown>[] = [];
    for (let wave = 0; wave < 10; wave++) {
      for (let k = 0; k < CALLS / 10; k++) {
        calls.push(client.get(`/work/${wave * 100 + k}`));
      }
      await sleep(200);
    }
    const results = await Promise.allSettled(calls);
    assert.deepEqual(
      results.filter((result) => result.status === "rejected"),
      [],
    );
    assert.equal(server.refreshes, 1);
    const tokens = new Set(server.used.values());
    assert.deepEqual([...tokens].sort(), ["access-1", "access-2"]);
    assert.equal(server.used.get(0), "access-1");
    assert.equal(server.used.get(CALLS - 1), "access-2");
    // deno-lint-ignore no-console
    console.log(
      `refresh (proactive): ${CALLS} calls, ${server.refreshes} refresh, ${
        [...server.used.values()].filter((v) => v === "access-1").length
      } calls with the old token and ${
        [...server.used.values()].filter((v) => v === "access-2").length
      } with the new`,
    );
  });

  await t.step(
    "when the server rejects the token before its announced expiry",
    async () => {
      // The server drops the token after 300 ms though it announced an hour.
      await using server = startAuthServer(300, 3_600_000);
      await using client = makeClient(server.origin, { token: "user-token" });
      await client.loginToTenant({ slug: "acme" });
      await sleep(400);
      const results = await Promise.allSettled(
        Array.from({ length: CALLS }, (_, n) => client.get(`/work/${n}`)),
      );
      assert.deepEqual(
        results.filter((result) => result.status === "rejected"),
        [],
      );
      assert.equal(server.refreshes, 1);
      assert.equal(server.rejected, CALLS);
      assert.equal(server.used.size, CALLS);
      assert.deepEqual(new Set(server.used.values()), new Set(["access-2"]));
      // deno-lint-ignore no-console
      console.log(
        `refresh (after 401): ${CALLS} calls got 401, ${server.refreshes} refresh, ${server.used.size} succeeded with the new token`,
      );
    },
  );
});
