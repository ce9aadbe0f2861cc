import ky from "ky";
import { getActiveClient } from "../mod.ts";
import { signRequestSync } from "../auth/hmac.ts";
import { benchClients } from "./_clients.ts";
import { interleave, pairedRatio, pool } from "./_stats.ts";
import { fixed, type Row } from "./_row.ts";

// Many short rounds rather than a few long ones: the machine's noise comes
// in spells of seconds, and peers run close together in time share them.
// Two identical peers landed 0.96x-1.07x apart with nine rounds of 2,000
// requests (four runs), 0.93x-1.06x with 36 rounds of 500 (two runs), and
// 0.98x-1.03x with 120-160 rounds of 500 (four probes, 2026-11-30).
const ROUNDS = 150;
const REQUESTS = 500;

/**
 * GET of a small JSON object: raw fetch vs ky vs the client, sequential and
 * at concurrency 64. Two more raw-fetch peers, without goals, split the
 * client's figure: the same request with the headers the client sends (what
 * `fetch` and the server spend on them), and with those headers and a
 * timeout signal (what a per-attempt timeout costs inside `fetch`: each
 * signal given to `fetch` becomes a dependent signal, two `WeakRef`s and a
 * finalizer). A third does the same with a keypair client's headers, signed
 * once: the floor under the keypair row. And raw fetch runs twice, as two
 * peers: how far apart two identical peers land is the noise floor of the
 * run, against which the goals' few per cent are read.
 */
export async function requestOverhead(url: string): Promise<Row[]> {
  const { token, keypair } = benchClients(url);
  const target = `${url}/api/v1/projects/b7f3`;
  const headers = { authorization: "Bearer bench-token" };
  const clientHeaders = { "user-agent": token.config.userAgent, ...headers };
  // Signed once and reused: what `fetch` charges for the keypair's headers,
  // with no signing at all.
  const keypairHeaders = {
    "user-agent": token.config.userAgent,
    ...signRequestSync({ method: "GET", url: target }, {
      accessKey: "AKBENCH",
      secretKey: "bench-secret",
    }).headers,
  };
  // Never aborts: what matters is that `fetch` is given a signal.
  const timeout = new AbortController().signal;
  const one: Record<string, () => Promise<unknown>> = {
    "raw fetch": async () => (await fetch(target, { headers })).json(),
    "raw fetch, again": async () => (await fetch(target, { headers })).json(),
    "raw fetch, client's headers": async () =>
      (await fetch(target, { headers: clientHeaders })).json(),
    "raw fetch, client's headers and a timeout signal": async () =>
      (await fetch(target, { headers: clientHeaders, signal: timeout }))
        .json(),
    "raw fetch, keypair client's headers (signed once) and a timeout signal":
      async () =>
        (await fetch(target, { headers: keypairHeaders, signal: timeout }))
          .json(),
    "ky": () => ky.get(target, { headers, retry: 0 }).json(),
    "Client, token": () => token.get("/projects/b7f3"),
    "Client, keypair (HMAC)": () => keypair.get("/projects/b7f3"),
    "Client in session()": () => getActiveClient()!.get("/projects/b7f3"),
  };
  const rows: Row[] = [];
  for (const concurrency of [1, 64]) {
    const peers = Object.fromEntries(
      Object.entries(one).map(([name, call]) => {
        const batch = () =>
          pool(REQUESTS, concurrency, async () => void await call());
        return [
          name,
          name === "Client in session()" ? () => token.session(batch) : batch,
        ];
      }),
    );
    const times = await interleave(peers, ROUNDS);
    const raw = times["raw fetch"];
    const ky = pairedRatio(times["ky"], raw);
    const label = concurrency === 1
      ? "sequential"
      : `concurrency ${concurrency}`;
    // The goals of issue 8: the client's own work is a small share of a
    // loopback round trip, in every mode.
    const goals: Record<string, [string, (r: number) => boolean]> = {
      "raw fetch, again": ["(noise)", () => true],
      "raw fetch, client's headers": ["(part)", () => true],
      "raw fetch, client's headers and a timeout signal": [
        "(part)",
        () => true,
      ],
      "raw fetch, keypair client's headers (signed once) and a timeout signal":
        ["(part)", () => true],
      "ky": ["(peer)", () => true],
      "Client, token": ["<= 1.05x", (r) => r <= 1.05],
      "Client, keypair (HMAC)": ["<= 1.15x", (r) => r <= 1.15],
      "Client in session()": ["<= 1.05x", (r) => r <= 1.05],
    };
    for (const [name, [goal, check]] of Object.entries(goals)) {
      const peer = goal.startsWith("(");
      const ratio = name === "ky" ? ky : pairedRatio(times[name], raw);
      rows.push({
        name: `Request overhead, ${label}: ${name} vs raw fetch (time)`,
        figure: `${fixed(ratio)}x`,
        goal,
        met: peer ? undefined : check(ratio),
      });
    }
  }
  await token.close();
  await keypair.close();
  return rows;
}
