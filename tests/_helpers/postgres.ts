/**
 * A private, throw-away PostgreSQL cluster for tests: `initdb` in a temp
 * folder, trust authentication, listening on a free 127.0.0.1 port only,
 * with fresh databases handed out per test. The binaries run as the
 * `postgres` user when the tests run as root (PostgreSQL refuses root).
 *
 * As a script it runs a command with the cluster up and
 * `RUNPLANE_TEST_POSTGRES_URL` set, then stops and deletes the cluster:
 *
 * ```sh
 * deno run -A tests/_helpers/postgres.ts deno test -A tests/server
 * ```
 *
 * Missing PostgreSQL is a plain error naming the package to install; set
 * `RUNPLANE_PG_BIN` to a `bin` folder elsewhere.
 *
 * @module
 */

import postgres from "postgres";

/** The environment variable the server suites read to test on PostgreSQL. */
export const POSTGRES_URL_ENV = "RUNPLANE_TEST_POSTGRES_URL";

/** A running cluster. */
export interface PostgresCluster extends AsyncDisposable {
  /** The URL of its `postgres` database, as the superuser. */
  url: string;
  /** Stops the cluster and deletes its folder. */
  stop(): Promise<void>;
}

/** Why the cluster cannot start on this machine. */
export class PostgresMissingError extends Error {
  override name = "PostgresMissingError";
}

/** The folder of `initdb` and `pg_ctl`, or `undefined` when not installed. */
export function findPostgresBin(): string | undefined {
  const given = Deno.env.get("RUNPLANE_PG_BIN");
  if (given) return given;
  try {
    const versions = [...Deno.readDirSync("/usr/lib/postgresql")]
      .map((entry) => Number(entry.name))
      .filter((version) => Number.isInteger(version))
      .sort((a, b) => b - a);
    for (const version of versions) {
      const bin = `/usr/lib/postgresql/${version}/bin`;
      try {
        Deno.statSync(`${bin}/initdb`);
        return bin;
      } catch { /* not this one */ }
    }
  } catch { /* no /usr/lib/postgresql */ }
  return undefined;
}

/**
 * Starts a cluster.
 *
 * @throws {PostgresMissingError} When PostgreSQL is not installed.
 */
export async function startPostgres(): Promise<PostgresCluster> {
  const bin = findPostgresBin();
  if (bin === undefined) {
    throw new PostgresMissingError(
      "PostgreSQL is not installed: install it (Debian: apt-get install postgresql) or set RUNPLANE_PG_BIN to the folder of initdb and pg_ctl",
    );
  }
  const asRoot = Deno.uid() === 0;
  const dir = await Deno.makeTempDir({ prefix: "runplane-pg-" });
  const data = `${dir}/data`;
  const run = async (program: string, args: string[]) => {
    const command = asRoot
      ? new Deno.Command("runuser", {
        args: ["-u", "postgres", "--", `${bin}/${program}`, ...args],
        stdout: "piped",
        stderr: "piped",
      })
      : new Deno.Command(`${bin}/${program}`, {
        args,
        stdout: "piped",
        stderr: "piped",
      });
    const output = await command.output();
    if (!output.success) {
      throw new Error(
        `${program} failed: ${new TextDecoder().decode(output.stderr).trim()}`,
      );
    }
  };
  let started = false;
  const stop = async () => {
    try {
      if (started) {
        await run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      }
    } finally {
      started = false;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  };
  try {
    if (asRoot) {
      const id = (name: string) =>
        Number(
          new TextDecoder().decode(
            new Deno.Command("id", { args: [name, "postgres"] }).outputSync()
              .stdout,
          ).trim(),
        );
      await Deno.chown(dir, id("-u"), id("-g"));
    }
    await run("initdb", [
      "-D",
      data,
      "-U",
      "postgres",
      "-A",
      "trust",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
    ]);
    const port = freePort();
    await run("pg_ctl", [
      "-D",
      data,
      "-l",
      `${dir}/log`,
      "-w",
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`,
      "start",
    ]);
    started = true;
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    return { url, stop, [Symbol.asyncDispose]: stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Creates an empty database in the cluster at `clusterUrl`.
 *
 * @returns Its URL.
 */
export async function createDatabase(clusterUrl: string): Promise<string> {
  const name = `t_${crypto.randomUUID().replaceAll("-", "")}`;
  const sql = postgres(clusterUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await sql.end();
  }
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  return url.href;
}

/**
 * A fresh database for a test: in the cluster of
 * `RUNPLANE_TEST_POSTGRES_URL` when set, else in a cluster started for the
 * test and stopped when the result is disposed.
 */
export async function testDatabase(): Promise<
  { url: string } & AsyncDisposable
> {
  const shared = Deno.env.get(POSTGRES_URL_ENV);
  if (shared) {
    return {
      url: await createDatabase(shared),
      [Symbol.asyncDispose]: async () => {},
    };
  }
  const cluster = await startPostgres();
  try {
    return {
      url: await createDatabase(cluster.url),
      [Symbol.asyncDispose]: cluster.stop,
    };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

function fail(message: string, code: number): never {
  Deno.stderr.writeSync(new TextEncoder().encode(`${message}\n`));
  Deno.exit(code);
}

if (import.meta.main) {
  if (Deno.args.length === 0) {
    fail(
      "Usage: deno run -A tests/_helpers/postgres.ts <command> [args...]",
      2,
    );
  }
  let cluster: PostgresCluster;
  try {
    cluster = await startPostgres();
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error), 1);
  }
  let code = 1;
  try {
    // "deno" is this Deno, whether or not one is on the PATH.
    const program = Deno.args[0] === "deno" ? Deno.execPath() : Deno.args[0];
    const child = new Deno.Command(program, {
      args: Deno.args.slice(1),
      env: { [POSTGRES_URL_ENV]: cluster.url },
    }).spawn();
    const stopChild = () => child.kill("SIGTERM");
    Deno.addSignalListener("SIGINT", stopChild);
    Deno.addSignalListener("SIGTERM", stopChild);
    code = (await child.status).code;
  } finally {
    await cluster.stop();
  }
  Deno.exit(code);
}
