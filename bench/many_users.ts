import { Client, Credentials, getActiveClient, loadConfig } from "../mod.ts";
import { interleave, pairedRatio, pool } from "./_stats.ts";
import { fixed, type Row } from "./_row.ts";

const USERS = 1_000;
const REQUESTS_EACH = 10;

/** 1,000 concurrent sessions with distinct credentials, 10 requests each, vs raw fetch. */
export async function manyUsers(url: string): Promise<Row[]> {
  // Loaded once and shared, as a server that makes a client per user should.
  const config = loadConfig({
    endpoints: url,
    envFile: false,
    env: {},
    maxRetries: 0,
  });
  const target = `${url}/api/v1/projects/b7f3`;
  const times = await interleave({
    "raw fetch": () =>
      pool(USERS, USERS, async (user) => {
        const headers = { authorization: `Bearer user-${user}` };
        for (
          let i = 0;
          i < REQUESTS_EACH;
          i++
        ) await (await fetch(target, { headers })).json();
      }),
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
  }, 5);
  const throughput = 1 /
    pairedRatio(times["Client sessions"], times["raw fetch"]);
  return [{
    name: "Many users: 1,000 sessions x 10 requests, throughput vs raw fetch",
    figure: `${fixed(throughput)}x`,
    goal: ">= 0.95x",
    met: throughput >= 0.95,
  }];
}
