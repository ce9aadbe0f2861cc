import assert from "node:assert/strict";
import { getActiveClient } from "../../client/context.ts";
import type { Client } from "../../client/client.ts";
import {
  createWorkspace,
  makeClient,
  pool,
  seededRandom,
  type Workspace,
} from "./_helpers.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

const SESSIONS = 10_000;
const TOKENS = 20;
const CONCURRENCY = 250;

/** Yields through a timer, a microtask chain, or a stream pulled inside the session. */
async function hop(kind: number, random: () => number): Promise<void> {
  switch (kind % 3) {
    case 0:
      await new Promise((resolve) =>
        setTimeout(resolve, Math.floor(random() * 3))
      );
      break;
    case 1:
      for (let i = 0; i < 1 + Math.floor(random() * 5); i++) {
        await new Promise<void>((resolve) => queueMicrotask(resolve));
      }
      break;
    default: {
      // The stream's callbacks check the active client as they run.
      const seen: (Client | undefined)[] = [];
      const stream = new ReadableStream<number>({
        start() {
          seen.push(getActiveClient());
        },
        async pull(controller) {
          await new Promise((resolve) => setTimeout(resolve, 0));
          seen.push(getActiveClient());
          controller.enqueue(seen.length);
          if (seen.length >= 3) controller.close();
        },
      });
      for await (const _ of stream) seen.push(getActiveClient());
      const expected = getActiveClient();
      for (const client of seen) {
        if (client !== expected) throw new Error("stream saw another client");
      }
    }
  }
}

Deno.test("10,000 interleaved sessions each use their own credential", async (t) => {
  const random = seededRandom(7);

  await t.step(
    "on a recording server, by Authorization per session",
    async () => {
      const received = new Map<number, string | null>();
      const server = Deno.serve(
        { hostname: "127.0.0.1", port: 0, onListen() {} },
        (request) => {
          const session = Number(
            new URL(request.url).pathname.split("/").pop(),
          );
          received.set(session, request.headers.get("authorization"));
          return Response.json({ session });
        },
      );
      try {
        const origin = `http://127.0.0.1:${server.addr.port}`;
        const tokens = Array.from(
          { length: TOKENS },
          (_, k) => `rp_session_token_${k}_${crypto.randomUUID()}`,
        );
        let mismatches = 0;
        let checks = 0;
        const check = (client: Client) => {
          checks++;
          if (getActiveClient() !== client) mismatches++;
        };
        await pool(SESSIONS, CONCURRENCY, async (n) => {
          await using client = makeClient(origin, {
            token: tokens[n % TOKENS],
          });
          await client.session(async () => {
            check(client);
            await hop(n, random);
            check(client);
            const answer = await getActiveClient()!.get<{ session: number }>(
              `/probe/${n}`,
            );
            if (answer.session !== n) mismatches++;
            check(client);
            await hop(n + 1, random);
            // A nested session of another client, then back to this one.
            const other = makeClient(origin, {
              token: tokens[(n + 1) % TOKENS],
            });
            await other.session(async () => {
              await hop(n + 2, random);
              check(other);
            });
            await other.close();
            check(client);
          });
          if (getActiveClient() !== undefined) mismatches++;
        });
        let wrongCredential = 0;
        for (let n = 0; n < SESSIONS; n++) {
          if (received.get(n) !== `Bearer ${tokens[n % TOKENS]}`) {
            wrongCredential++;
          }
        }
        assert.equal(received.size, SESSIONS);
        assert.equal(mismatches, 0);
        assert.equal(wrongCredential, 0);
        // deno-lint-ignore no-console
        console.log(
          `isolation: ${SESSIONS} sessions, ${TOKENS} tokens, ${checks} in-session checks, ${received.size} requests, 0 mismatches`,
        );
      } finally {
        await server.shutdown();
      }
    },
  );

  await t.step("on the reference server, by GET /me per session", async () => {
    await using server = await startReferenceServer({
      databasePath: ":memory:",
    });
    // Five tenants, each with its member's token: /me names the tenant.
    const workspaces: Workspace[] = [];
    for (let k = 0; k < 5; k++) {
      workspaces.push(await createWorkspace(server.url));
    }
    let mismatches = 0;
    await pool(1_000, 50, async (n) => {
      const workspace = workspaces[n % workspaces.length];
      await using client = makeClient(server.url, { token: workspace.token });
      await client.session(async () => {
        await hop(n, random);
        const me = await getActiveClient()!.get<{ tenant?: { slug: string } }>(
          "/me",
        );
        if (me.tenant?.slug !== workspace.slug) mismatches++;
      });
    });
    assert.equal(mismatches, 0);
  });
});
