/**
 * `deno task serve`: runs the reference server until SIGINT or SIGTERM.
 *
 * Flags: `--hostname`, `--port`, `--database` (a SQLite file path, or a
 * `postgres://` URL; else `RUNPLANE_DATABASE_URL`), `--admin-token` (or the
 * environment variable `RUNPLANE_ADMIN_TOKEN`), `--public-url` (or
 * `RUNPLANE_PUBLIC_URL`), and the limits of `startServer`:
 * `--max-connections`, `--header-timeout-ms`, `--body-timeout-ms`,
 * `--log-lines-per-minute`, `--log-retention-days`, `--access-token-ttl-ms`. The server key comes
 * from `RUNPLANE_SERVER_KEY` or the key file, never from a flag (a flag
 * shows in the process list).
 *
 * @module
 */

import { startServer } from "./mod.ts";
import { isPostgresUrl } from "./store/open_store.ts";

const FLAGS = [
  "hostname",
  "port",
  "database",
  "admin-token",
  "public-url",
  "max-connections",
  "header-timeout-ms",
  "body-timeout-ms",
  "log-lines-per-minute",
  "log-retention-days",
  "access-token-ttl-ms",
] as const;
type Flag = typeof FLAGS[number];

function parseFlags(args: string[]): Partial<Record<Flag, string>> {
  const flags: Partial<Record<Flag, string>> = {};
  for (let i = 0; i < args.length; i++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(args[i]);
    const name = match?.[1] as Flag | undefined;
    if (!match || !FLAGS.includes(name!)) {
      throw new TypeError(
        `Unknown argument ${args[i]}: expected ${
          FLAGS.map((flag) => `--${flag}`).join(", ")
        }`,
      );
    }
    const value = match[2] ?? args[++i];
    if (value === undefined) {
      throw new TypeError(`Flag --${name} needs a value`);
    }
    flags[name!] = value;
  }
  return flags;
}

/**
 * Starts the server from command-line flags and stops it on SIGINT or
 * SIGTERM; the `runplane serve` command runs this too.
 *
 * @param args The flags, such as `["--port", "4200"]`.
 */
export async function main(args: string[]): Promise<void> {
  const flags = parseFlags(args);
  const number = (flag: Flag) =>
    flags[flag] === undefined ? undefined : Number(flags[flag]);
  const database = flags.database;
  const postgres = database !== undefined && isPostgresUrl(database);
  const server = await startServer({
    hostname: flags.hostname,
    port: number("port"),
    maxConnections: number("max-connections"),
    headerTimeoutMs: number("header-timeout-ms"),
    bodyTimeoutMs: number("body-timeout-ms"),
    logLinesPerMinute: number("log-lines-per-minute"),
    logRetentionDays: number("log-retention-days"),
    accessTokenTtlMs: number("access-token-ttl-ms"),
    databasePath: postgres ? undefined : database,
    databaseUrl: postgres ? database : undefined,
    adminToken: flags["admin-token"] ??
      (Deno.env.get("RUNPLANE_ADMIN_TOKEN") || undefined),
    publicUrl: flags["public-url"],
  });
  Deno.stdout.writeSync(
    new TextEncoder().encode(
      `Runplane server listening on ${server.url.href}\n` +
        `Web view: ${new URL("/ui/", server.url).href}\n` +
        "First user: with the admin token, runplane tenants create and " +
        'runplane users create (docs/server.md, "The first user")\n',
    ),
  );
  const stop = async () => {
    await server.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (error) {
    Deno.stderr.writeSync(
      new TextEncoder().encode(
        `${error instanceof Error ? error.message : String(error)}\n`,
      ),
    );
    Deno.exit(1);
  }
}
