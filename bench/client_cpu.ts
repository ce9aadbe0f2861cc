import ky from "ky";
import { getActiveClient } from "../mod.ts";
import { benchClients } from "./_clients.ts";
import { interleave, median } from "./_stats.ts";
import { fixed, type Row } from "./_row.ts";

const ROUNDS = 9;
const REQUESTS = 10_000;
const URL_BASE = "http://127.0.0.1:4200";
const TARGET = `${URL_BASE}/api/v1/projects/b7f3`;
const COLLECTION = `${URL_BASE}/api/v1/projects`;
const ANSWER = JSON.stringify({
  id: "b7f3",
  name: "churn-model",
  description: "Weekly churn model",
  createdAt: "2026-11-22T14:43:04.000Z",
});
const ANSWER_HEADERS = {
  "content-type": "application/json",
  "content-length": String(ANSWER.length),
};
const PROJECT = { name: "churn-model", description: "Weekly churn model" };

/**
 * A `fetch` that answers at once, in process: what is left of a request's
 * time is each library's own work (and the `Response` they all share).
 */
const instantFetch: typeof fetch = () =>
  Promise.resolve(new Response(ANSWER, { headers: ANSWER_HEADERS }));

/**
 * Client CPU per request: raw `fetch` + `json()`, ky, and the client in each
 * mode, against the instant `fetch`. A library's added cost is its time per
 * request minus raw fetch's in the same round; the figure is the client's
 * added cost as a fraction of ky's, the median over rounds.
 */
export async function clientCpu(): Promise<Row[]> {
  const { token, keypair } = benchClients(URL_BASE, instantFetch);
  const headers = { authorization: "Bearer bench-token" };
  const api = ky.create({ headers, retry: 0, fetch: instantFetch });
  const many = (call: () => Promise<unknown>) => async () => {
    for (let i = 0; i < REQUESTS; i++) await call();
  };
  const times = await interleave({
    "raw GET": many(async () =>
      (await instantFetch(TARGET, { headers })).json()
    ),
    "ky GET": many(() => api.get(TARGET).json()),
    "token GET": many(() => token.get("/projects/b7f3")),
    "token GET in session()": () =>
      token.session(many(() => getActiveClient()!.get("/projects/b7f3"))),
    "keypair GET": many(() => keypair.get("/projects/b7f3")),
    "raw POST": many(async () =>
      (await instantFetch(COLLECTION, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify(PROJECT),
      })).json()
    ),
    "ky POST": many(() => api.post(COLLECTION, { json: PROJECT }).json()),
    "token POST": many(() => token.post("/projects", PROJECT)),
  }, ROUNDS);
  await token.close();
  await keypair.close();

  const perRequest = (name: string) =>
    times[name].map((ms) => (ms * 1000) / REQUESTS);
  const added = (name: string, base: string) => {
    const peer = perRequest(name);
    return perRequest(base).map((raw, round) => peer[round] - raw);
  };
  const kyGet = added("ky GET", "raw GET");
  const kyPost = added("ky POST", "raw POST");
  const rows: Row[] = [
    {
      name: "Client CPU per request (instant fetch): raw fetch + json(), GET",
      figure: `${fixed(median(perRequest("raw GET")), 1)} µs`,
      goal: "(base)",
    },
    {
      name: "Client CPU per request: ky GET, added to raw fetch",
      figure: `${fixed(median(kyGet), 1)} µs`,
      goal: "(peer)",
    },
    {
      name: "Client CPU per request: ky POST with JSON, added to raw fetch",
      figure: `${fixed(median(kyPost), 1)} µs`,
      goal: "(peer)",
    },
  ];
  const goals: Array<[string, string, number[], number]> = [
    ["token GET", "raw GET", kyGet, 0.25],
    ["token GET in session()", "raw GET", kyGet, 0.30],
    ["token POST", "raw POST", kyPost, 0.35],
    ["keypair GET", "raw GET", kyGet, 0.50],
  ];
  for (const [name, base, ky, goal] of goals) {
    const mine = added(name, base);
    const ratio = median(mine.map((cost, round) => cost / ky[round]));
    rows.push({
      name: `Client CPU per request: Client, ${name}, added cost vs ky's`,
      figure: `${fixed(ratio)}x (${fixed(median(mine), 1)} µs)`,
      goal: `<= ${fixed(goal)}x`,
      met: ratio <= goal,
    });
  }
  return rows;
}
