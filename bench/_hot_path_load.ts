/**
 * The load process of `bench/server_hot_path.ts`: a separate process, so
 * the servers' CPU is theirs alone. It reads one JSON command a line from
 * stdin and answers one JSON line on stdout:
 *
 * - `{"setup": name, "target": Target}` prepares runs on a server; answers `{}`.
 * - `{"run": name, "op": Op, "concurrency": n, "ms": t}` sends requests of
 *   one kind for about `t` ms with `n` in flight; answers `{"count", "ms"}`.
 *
 * Requests are plain `fetch` calls with the headers the client sends (an
 * `Idempotency-Key` on every POST, a keypair signature made with the
 * client's own signing code), so both servers get the same bytes and the
 * load process spends as little as it can per request.
 *
 * @module
 */

import { SigningKeyCache, signRequestSync } from "../auth/hmac.ts";

/** A provisioned server. */
export interface Target {
  url: string;
  token: string;
  accessKey: string;
  secretKey: string;
  flowId: string;
}

/** The operations measured. */
export type Op = "create" | "state" | "bearer" | "hmac" | "logs";

/** How many log lines one `logs` request carries. */
export const LOG_LINES = 1_000;
const STATE_RUNS = 50;

interface Prepared {
  target: Target;
  /** A run with two states, read by `bearer` and `hmac`. */
  readRun: string;
  /** Runs set to RUNNING again and again, one per worker, with their versions. */
  stateRuns: Array<{ id: string; version: number }>;
  logBody: string;
  signingCache: SigningKeyCache;
}

const prepared = new Map<string, Prepared>();

async function send(
  target: Target,
  method: string,
  path: string,
  body?: string,
): Promise<unknown> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${target.token}`,
  };
  if (body !== undefined) {
    headers["content-type"] = "application/json";
    headers["idempotency-key"] = crypto.randomUUID();
  }
  const response = await fetch(target.url + path, { method, headers, body });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  }
  return text.length === 0 ? undefined : JSON.parse(text);
}

async function setup(name: string, target: Target): Promise<void> {
  const create = () =>
    send(
      target,
      "POST",
      "/api/v1/flow-runs",
      JSON.stringify({ flowId: target.flowId, parameters: { bench: true } }),
    ) as Promise<{ id: string; version: number }>;
  const read = await create();
  await send(
    target,
    "POST",
    `/api/v1/flow-runs/${read.id}/state`,
    JSON.stringify({ version: read.version, state: "RUNNING" }),
  );
  const stateRuns = [];
  for (let i = 0; i < STATE_RUNS; i++) stateRuns.push(await create());
  const timestamp = new Date().toISOString();
  const logBody = JSON.stringify({
    entries: Array.from({ length: LOG_LINES }, (_, i) => ({
      flowRunId: read.id,
      level: "INFO",
      message: `step ${i}: loaded batch of 512 rows from the feature store`,
      timestamp,
    })),
  });
  prepared.set(name, {
    target,
    readRun: read.id,
    stateRuns,
    logBody,
    signingCache: new SigningKeyCache(),
  });
}

/** One request of an operation, by worker `worker`. */
async function once(p: Prepared, op: Op, worker: number): Promise<void> {
  const { target } = p;
  switch (op) {
    case "create":
      await send(
        target,
        "POST",
        "/api/v1/flow-runs",
        `{"flowId":"${target.flowId}","parameters":{"worker":${worker}}}`,
      );
      return;
    case "state": {
      const run = p.stateRuns[worker];
      const change = await send(
        target,
        "POST",
        `/api/v1/flow-runs/${run.id}/state`,
        `{"version":${run.version},"state":"RUNNING"}`,
      ) as { version: number };
      run.version = change.version;
      return;
    }
    case "bearer":
      await send(target, "GET", `/api/v1/flow-runs/${p.readRun}`);
      return;
    case "hmac": {
      const url = `${target.url}/api/v1/flow-runs/${p.readRun}`;
      const signed = signRequestSync({ method: "GET", url }, target, {
        cache: p.signingCache,
      });
      const response = await fetch(url, { headers: signed.headers });
      const text = await response.text();
      if (!response.ok) {
        throw new Error(`Signed GET answered ${response.status}: ${text}`);
      }
      return;
    }
    case "logs":
      await send(target, "POST", "/api/v1/logs", p.logBody);
      return;
  }
}

async function run(
  name: string,
  op: Op,
  concurrency: number,
  ms: number,
): Promise<{ count: number; ms: number }> {
  const p = prepared.get(name)!;
  let count = 0;
  const started = performance.now();
  const end = started + ms;
  let last = started;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (performance.now() < end) {
        await once(p, op, worker);
        count++;
        last = performance.now();
      }
    }),
  );
  return { count, ms: last - started };
}

const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
let pending = "";
const encoder = new TextEncoder();
for await (const chunk of lines) {
  pending += chunk;
  let newline;
  while ((newline = pending.indexOf("\n")) >= 0) {
    const command = JSON.parse(pending.slice(0, newline));
    pending = pending.slice(newline + 1);
    let answer: unknown = {};
    try {
      if (command.setup) {
        const target = command.target as Target;
        await setup(command.setup, {
          ...target,
          url: target.url.replace(/\/+$/, ""),
        });
      } else {
        answer = await run(
          command.run,
          command.op,
          command.concurrency,
          command.ms,
        );
      }
    } catch (error) {
      answer = { error: String(error) };
    }
    await Deno.stdout.write(encoder.encode(JSON.stringify(answer) + "\n"));
  }
}
