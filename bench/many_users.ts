import { Client, Credentials, getActiveClient, loadConfig } from "../mod.ts";
import { interleave, pairedRatio, pool } from "./_stats.ts";
import { fixed, type Row } from "./_row.ts";

const USERS = 1_000;
const REQUESTS_EACH = 10;
// A round takes about a second; nine (five before 2026-11-30) steady the
// median on a noisy machine.
const ROUNDS = 9;

/**
 * 1,000 concurrent sessions with distinct credentials, 10 requests each, vs
 * raw fetch. A third peer, without a goal, is raw fetch sending what the
 * client sends (its headers, and a signal for the attempt's timeout): what
 * `fetch` itself charges for them, with no client code at all. Raw fetch
 * runs twice, as two peers: how far apart they land is the run's noise.
 */
export async function manyUsers(url: string): Promise<Row[]> {
  // Loaded once and shared, as a server that makes a client per user should.
  const config = loadConfig({
    endpoints: url,
    envFile: false,
    env: {},
    maxRetries: 0,
  });
  const target = `${url}/api/v1/projects/b7f3`;
  const rawFetch = (clientHeaders: boolean) => () =>
    pool(USERS, USERS, async (user) => {
      const authorization = `Bearer user-${user}`;
      const init: RequestInit = clientHeaders
        ? {
          headers: { "user-agent": config.userAgent, authorization },
          // Never aborts: what matters is that `fetch` is given a signal.
          signal: new AbortController().signal,
        }
        : { headers: { authorization } };
      for (let i = 0; i < REQUESTS_EACH; i++) {
        await (await fetch(target, init)).json();
      }
    });
  const times = await interleave({
    "raw fetch": rawFetch(false),
    "raw fetch, again": rawFetch(false),
    "raw fetch, client's headers and a timeout signal": rawFetch(true),
    "Client sessions": () =>
      pool(USERS, USERS, async (user) => {
        const client = new Client({
          credentials: new Credentials({ token: `user-${user}` }),
          config,
        });
        await client.session(async () => {
          for (let i = 0; i < REQUESTS_EACH; i++) {
            await getActiveClient()!.get("/projects/b7f3");
          }
        });
        await client.close();
      }),
  }, ROUNDS);
  const throughput = 1 /
    pairedRatio(times["Client sessions"], times["raw fetch"]);
  const part = 1 /
    pairedRatio(
      times["raw fetch, client's headers and a timeout signal"],
      times["raw fetch"],
    );
  const again = 1 / pairedRatio(times["raw fetch, again"], times["raw fetch"]);
  return [{
    name: "Many users: raw fetch again, throughput vs raw fetch",
    figure: `${fixed(again)}x`,
    goal: "(noise)",
  }, {
    name:
      "Many users: raw fetch with the client's headers and a timeout signal, throughput vs raw fetch",
    figure: `${fixed(part)}x`,
    goal: "(part)",
  }, {
    name: "Many users: 1,000 sessions x 10 requests, throughput vs raw fetch",
    figure: `${fixed(throughput)}x`,
    goal: ">= 0.95x",
    met: throughput >= 0.95,
  }];
}
