/**
 * The reference server's hot path against its own stack's limit: a bare
 * `Deno.serve` + `node:sqlite` peer (`bench/_bare_server.ts`) doing the same
 * SQL work on a copy of the same database. Load comes from a separate
 * process (`bench/_hot_path_load.ts`); peers take turns, round after round,
 * and each figure is the median over rounds of the per-round ratio, with the
 * range of those ratios and the server's CPU time per request (user and
 * system, every thread; less sensitive to a busy machine than throughput).
 *
 * The same operations on PostgreSQL run in the same rounds, beside SQLite,
 * when PostgreSQL is installed.
 *
 * @module
 */

import { backup, DatabaseSync } from "node:sqlite";
import { Client, Credentials } from "../mod.ts";
import { firstMatch, type Row } from "./_row.ts";
import { median } from "./_stats.ts";
import { type BenchServer, startBenchServer } from "./_bench_server.ts";
import type { Op, Target } from "./_hot_path_load.ts";
import {
  createDatabase,
  findPostgresBin,
  type PostgresCluster,
  startPostgres,
} from "../tests/_helpers/postgres.ts";

const ROUNDS = 5;
/** How long each peer is loaded per round, by concurrency. */
const LOAD_MS: Record<number, number> = { 50: 700, 1: 400 };

/** An operation, its words, and the goals against the bare server. */
const OPERATIONS: Array<{ op: Op; label: string; goal: number }> = [
  { op: "create", label: "create a flow run", goal: 0.70 },
  { op: "state", label: "set a state", goal: 0.70 },
  { op: "bearer", label: "get a run, bearer token", goal: 0.60 },
  { op: "hmac", label: "get a run, HMAC keypair", goal: 0.45 },
  { op: "logs", label: "write 1,000 log lines", goal: 0.80 },
];
/** At concurrency 1, no operation may be below this. */
const SERIAL_GOAL = 0.55;

/**
 * Whether to measure an operation: `RUNPLANE_BENCH_SERVER_OPS`, when set,
 * lists the ones to run (such as `create,state`), for profiling one.
 */
function chosen({ op }: { op: Op }): boolean {
  const only = Deno.env.get("RUNPLANE_BENCH_SERVER_OPS");
  return only === undefined || only.split(",").includes(op);
}

/** A server under load: where it is, how to read its CPU time. */
interface Peer {
  name: string;
  pid: number;
  target: Target;
  stop(): Promise<void>;
}

interface Sample {
  /** Requests per second. */
  rate: number;
  /** Server CPU time per request, in microseconds. */
  cpuUs: number;
}

/** The rows: every operation at concurrency 50 and 1, SQLite and PostgreSQL. */
export async function serverHotPath(): Promise<Row[]> {
  const peers: Peer[] = [];
  let cluster: PostgresCluster | undefined;
  let load: LoadProcess | undefined;
  try {
    const reference = await startBenchServer();
    const secret = await provision(reference);
    peers.push({
      name: "reference",
      pid: reference.pid,
      target: secret.target,
      stop: reference.stop,
    });
    peers.push(await startBare(reference.database, secret.target));
    let note: string | undefined;
    if (findPostgresBin() === undefined) {
      note =
        "skipped: PostgreSQL is not installed (apt-get install postgresql)";
    } else {
      cluster = await startPostgres();
      const serverKey = btoa(
        String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))),
      );
      const postgres = await startBenchServer({
        databaseUrl: await createDatabase(cluster.url),
        serverKey,
      });
      peers.push({
        name: "postgres",
        pid: postgres.pid,
        target: (await provision(postgres)).target,
        stop: postgres.stop,
      });
    }
    load = await LoadProcess.start();
    for (const peer of peers) {
      await load.send({ setup: peer.name, target: peer.target });
    }
    const rows: Row[] = [];
    const postgresRows: Row[] = [];
    for (const concurrency of [50, 1]) {
      for (const { op, label, goal } of OPERATIONS.filter(chosen)) {
        const samples = await measure(load, peers, op, concurrency);
        const wanted = concurrency === 50 ? goal : SERIAL_GOAL;
        const ratios = samples.reference.map((sample, round) =>
          sample.rate / samples.bare[round].rate
        );
        const ratio = median(ratios);
        rows.push({
          name:
            `Server hot path (SQLite file): ${label}, concurrency ${concurrency}, reference / bare`,
          figure: `${ratio.toFixed(2)}x (rounds ${
            Math.min(...ratios).toFixed(2)
          }-${Math.max(...ratios).toFixed(2)}; ${
            perSecond(samples.reference)
          } vs ${perSecond(samples.bare)}; CPU ${cpu(samples.bare)} -> ${
            cpu(samples.reference)
          } per request)`,
          goal: `>= ${wanted.toFixed(2)}x`,
          met: ratio >= wanted,
        });
        if (samples.postgres) {
          const beside = median(
            samples.postgres.map((sample, round) =>
              sample.rate / samples.reference[round].rate
            ),
          );
          postgresRows.push({
            name:
              `Server hot path (PostgreSQL): ${label}, concurrency ${concurrency}`,
            figure: `${perSecond(samples.postgres)} (${
              beside.toFixed(2)
            }x the SQLite reference; CPU ${cpu(samples.postgres)} per request)`,
            goal: "(reported beside SQLite)",
          });
        }
      }
    }
    if (note) {
      postgresRows.push({
        name: "Server hot path (PostgreSQL)",
        figure: note,
        goal: "(reported beside SQLite)",
      });
    }
    return [...rows, ...postgresRows];
  } finally {
    await load?.stop();
    for (const peer of peers.reverse()) await peer.stop();
    await cluster?.stop();
  }
}

/** Interleaved rounds of one operation on every peer. */
async function measure(
  load: LoadProcess,
  peers: Peer[],
  op: Op,
  concurrency: number,
): Promise<Record<string, Sample[]>> {
  const samples: Record<string, Sample[]> = Object.fromEntries(
    peers.map((peer) => [peer.name, []]),
  );
  for (let round = -1; round < ROUNDS; round++) {
    for (let i = 0; i < peers.length; i++) {
      const peer = peers[(i + Math.max(round, 0)) % peers.length];
      const before = await cpuMs(peer.pid);
      const { count, ms } = await load.send({
        run: peer.name,
        op,
        concurrency,
        ms: LOAD_MS[concurrency],
      }) as { count: number; ms: number };
      const used = await cpuMs(peer.pid) - before;
      if (round >= 0) {
        samples[peer.name].push({
          rate: count / (ms / 1000),
          cpuUs: (used * 1000) / count,
        });
      }
    }
  }
  return samples;
}

/** A tenant keypair and the target the load process needs. */
async function provision(server: BenchServer): Promise<{ target: Target }> {
  const admin = new Client({
    credentials: new Credentials({ token: server.adminToken }),
    config: { endpoints: server.url, envFile: false, env: {} },
  });
  try {
    const keypair = await admin.accessKeys.create({
      username: server.username,
      tenant: "bench",
    });
    return {
      target: {
        url: server.url,
        token: server.token,
        accessKey: keypair.accessKey,
        secretKey: keypair.secretKey,
        flowId: server.flowId,
      },
    };
  } finally {
    await admin.close();
  }
}

/** Starts the bare server on a snapshot of the reference server's database. */
async function startBare(database: string, target: Target): Promise<Peer> {
  const folder = await Deno.makeTempDir({ prefix: "runplane_bare_" });
  const copy = `${folder}/bare.db`;
  const source = new DatabaseSync(database);
  try {
    // Not VACUUM INTO: Deno allows no ATTACH without --allow-all.
    await backup(source, copy);
  } finally {
    source.close();
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "--allow-net=127.0.0.1",
      new URL("./_bare_server.ts", import.meta.url).pathname,
      copy,
      target.secretKey,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const url = await firstMatch(child.stdout, /listening on (\S+)/);
  return {
    name: "bare",
    pid: child.pid,
    target: { ...target, url },
    async stop() {
      await child.stdin.close();
      await child.status;
      await Deno.remove(folder, { recursive: true });
    },
  };
}

/** The load process, driven one command at a time. */
class LoadProcess {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #reader: ReadableStreamDefaultReader<string>;
  #pending = "";

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.#reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
  }

  static start(): Promise<LoadProcess> {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net=127.0.0.1",
        new URL("./_hot_path_load.ts", import.meta.url).pathname,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    return Promise.resolve(new LoadProcess(child));
  }

  async send(command: unknown): Promise<unknown> {
    await this.#writer.write(
      new TextEncoder().encode(JSON.stringify(command) + "\n"),
    );
    while (!this.#pending.includes("\n")) {
      const { value, done } = await this.#reader.read();
      if (done) throw new Error("The load process exited");
      this.#pending += value;
    }
    const newline = this.#pending.indexOf("\n");
    const answer = JSON.parse(this.#pending.slice(0, newline));
    this.#pending = this.#pending.slice(newline + 1);
    if (answer.error) throw new Error(`Load process: ${answer.error}`);
    return answer;
  }

  async stop(): Promise<void> {
    await this.#writer.close();
    await this.#reader.cancel();
    await this.#child.status;
  }
}

/** User and system CPU time of a process, every thread, in milliseconds. */
async function cpuMs(pid: number): Promise<number> {
  // Read by `cat`: Deno lets only --allow-all read /proc.
  const { stdout } = await new Deno.Command("cat", {
    args: [`/proc/${pid}/stat`],
  }).output();
  const stat = new TextDecoder().decode(stdout);
  // Fields after the command name, which may hold spaces, in parentheses.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15, in clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function perSecond(samples: Sample[]): string {
  return `${
    Math.round(median(samples.map((sample) => sample.rate))).toLocaleString(
      "en",
    )
  } /s`;
}

function cpu(samples: Sample[]): string {
  const us = median(samples.map((sample) => sample.cpuUs));
  return us >= 1000 ? `${(us / 1000).toFixed(1)} ms` : `${Math.round(us)} us`;
}
