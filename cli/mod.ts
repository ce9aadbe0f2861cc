/**
 * `runplane`, the command line: log in once, then list tenants and projects,
 * create and watch flow runs, read logs, set secrets, list and revoke
 * credentials, manage users, or start the local reference server. Every
 * command takes `--json` for scripts; errors print one line and exit
 * non-zero (a stack trace only with `--debug`). Text from the server is
 * printed with its control characters escaped, so a log line cannot send
 * escape sequences to the terminal; `--json` output is left as it is.
 *
 * ```sh
 * deno run -A jsr:@runplane/client/cli login --token rp_... --endpoint http://127.0.0.1:4200
 * deno run -A jsr:@runplane/client/cli flow-runs watch <id>
 * ```
 *
 * @example Run a command in-process
 * ```ts
 * import { main } from "./mod.ts";
 *
 * let help = "";
 * const code = await main(["--help"], { stdout: (text) => void (help += text) });
 * console.assert(code === 0 && help.startsWith("Usage: runplane"));
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Client } from "../client/client.ts";
import { RunplaneError } from "../errors.ts";
import { Credentials } from "../auth/credentials.ts";
import { loadConfig, type LoadConfigOptions } from "../config/config.ts";
import { saveCredentials } from "../config/credentials_file.ts";
import type { EnvSource } from "../config/env.ts";
import type { FlowRun, Role, StateType } from "../api/mod.ts";
import { formatTable, type Output, shown } from "./_output.ts";
import { watchFlowRun } from "./_watch.ts";

export type { Output };

/** Where the command line reads and writes; tests pass their own. */
export interface CliIo {
  /** Receives results. */
  stdout: Output;
  /** Receives errors and progress. */
  stderr: Output;
  /** Reads a secret that was not given as a flag. */
  readStdin: () => Promise<string>;
  /**
   * Asks for a password without echoing it. By default a hidden prompt when
   * stdin is a terminal and `readStdin` was not given; else the next line of
   * what `readStdin` reads.
   */
  promptSecret?: (label: string) => Promise<string>;
  /** Whether stderr is a terminal (a live status line) or not (plain lines). */
  isTerminal: boolean;
  /** Variables to read instead of the process environment. */
  env?: EnvSource;
}

/** A mistake in how the command was called: exit code 2. */
class UsageError extends Error {}

const USAGE = `Usage: runplane <command> [options]

Commands:
  login --token T | --username U [--password P] | --access-key A [--secret-key S]
  tenants
  projects [list] | projects create <name> [--description D]
  flow-runs list [--flow-id F] [--state S] [--limit N]
  flow-runs get <id>
  flow-runs create --flow-id F | --version-group-id G [--parameters JSON] [--name N] [--idempotency-key K]
  flow-runs set-state <id> --state S --version N [--message M]
  flow-runs watch <id> [--interval-ms N]
  logs --flow-run-id F [--task-run-id T]
  secrets set <name> [value] | secrets list
  tokens list [--username U] [--in-tenant SLUG] | tokens revoke <id>
  keys list [--username U] [--in-tenant SLUG] | keys revoke <access-key>
  users set-password <username>   (prompts, or reads lines on stdin: the
                                   current password first for your own)
  users add <username> --role R   (an existing user, to --tenant)
  users remove <username>         (from --tenant)
  serve [--port N] [--hostname H] [--database PATH] [--admin-token T] [--public-url URL]

Options for every command:
  --endpoint URL   API endpoint(s), comma-separated (else RUNPLANE_ENDPOINT)
  --tenant SLUG    tenant (else RUNPLANE_TENANT)
  --json           machine-readable output
  --debug          print stack traces of errors
  --help           this text

Credentials come from RUNPLANE_TOKEN, RUNPLANE_USERNAME/RUNPLANE_PASSWORD,
RUNPLANE_ACCESS_KEY/RUNPLANE_SECRET_KEY, or the file saved by 'login'.`;

const OPTIONS = {
  "token": { type: "string" },
  "username": { type: "string" },
  "password": { type: "string" },
  "access-key": { type: "string" },
  "secret-key": { type: "string" },
  "endpoint": { type: "string" },
  "tenant": { type: "string" },
  "description": { type: "string" },
  "flow-id": { type: "string" },
  "version-group-id": { type: "string" },
  "state": { type: "string" },
  "limit": { type: "string" },
  "parameters": { type: "string" },
  "name": { type: "string" },
  "idempotency-key": { type: "string" },
  "version": { type: "string" },
  "message": { type: "string" },
  "interval-ms": { type: "string" },
  "flow-run-id": { type: "string" },
  "task-run-id": { type: "string" },
  "in-tenant": { type: "string" },
  "role": { type: "string" },
  "json": { type: "boolean" },
  "debug": { type: "boolean" },
  "help": { type: "boolean" },
} as const;

type Flags = Partial<Record<keyof typeof OPTIONS, string | boolean>>;

/**
 * Runs one command.
 *
 * @param args The arguments, without the program name.
 * @param io Where to write; defaults to the process's streams.
 * @returns The exit code: 0 on success, 1 on failure, 2 on a usage mistake,
 * 3 when a watched run ended `FAILED` or `CANCELLED`.
 *
 * @example
 * ```ts ignore
 * import { main } from "@runplane/client/cli";
 *
 * Deno.exit(await main(Deno.args));
 * ```
 */
export async function main(
  args: string[],
  io: Partial<CliIo> = {},
): Promise<number> {
  const streams: CliIo = {
    stdout: io.stdout ?? ((text) => writeAll(Deno.stdout, text)),
    stderr: io.stderr ?? ((text) => writeAll(Deno.stderr, text)),
    readStdin: io.readStdin ?? readStdin,
    isTerminal: io.isTerminal ?? Deno.stderr.isTerminal(),
    env: io.env,
  };
  streams.promptSecret = io.promptSecret ??
    (io.readStdin === undefined && Deno.stdin.isTerminal()
      ? hiddenPrompt
      : stdinLines(streams.readStdin));
  if (args[0] === "serve") {
    // Loaded only here, so the other commands never load the server.
    const server = await import("../server/main.ts");
    try {
      await server.main(args.slice(1));
      return 0;
    } catch (error) {
      streams.stderr(
        `error: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      return 2;
    }
  }
  let flags: Flags = {};
  try {
    const parsed = parseArgs({
      args,
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    flags = parsed.values as Flags;
    if (flags.help || parsed.positionals.length === 0) {
      streams.stdout(USAGE + "\n");
      return flags.help ? 0 : 2;
    }
    return await run(parsed.positionals, flags, streams);
  } catch (error) {
    streams.stderr(`error: ${shown(describe(error))}\n`);
    if (flags.debug && error instanceof Error && error.stack) {
      streams.stderr(error.stack + "\n");
    }
    return error instanceof UsageError || isParseError(error) ? 2 : 1;
  }
}

async function run(
  [command, sub, ...rest]: string[],
  flags: Flags,
  io: CliIo,
): Promise<number> {
  const json = flags.json === true;
  const print = (value: unknown, table: () => string) =>
    io.stdout((json ? JSON.stringify(value, null, 2) : table()) + "\n");
  if (command === "login") return await login(flags, io);
  await using client = new Client({
    credentials: new Credentials({ useEnv: true }),
    config: configOptions(flags, io),
  });
  switch (`${command} ${sub ?? ""}`.trim()) {
    case "tenants": {
      const tenants = await client.tenants.list();
      print(tenants, () => formatTable(tenants, ["slug", "name", "id"]));
      return 0;
    }
    case "projects":
    case "projects list": {
      const projects = await client.projects.list();
      print(projects, () => formatTable(projects, ["name", "id", "createdAt"]));
      return 0;
    }
    case "projects create": {
      const project = await client.projects.create({
        name: positional(rest, "the project's name"),
        description: text(flags.description),
      });
      print(
        project,
        () => `Created project ${shown(project.name)} (${shown(project.id)})`,
      );
      return 0;
    }
    case "flow-runs list": {
      const runs: FlowRun[] = [];
      const limit = text(flags.limit)
        ? wholeNumber(flags.limit, "--limit")
        : 20;
      for await (
        const run of client.flowRuns.list({
          flowId: text(flags["flow-id"]),
          state: text(flags.state) as StateType | undefined,
          limit: Math.min(limit, 500),
        })
      ) {
        runs.push(run);
        if (runs.length >= limit) break;
      }
      print(
        runs,
        () =>
          formatTable(runs, ["name", "id", "state", "version", "durationMs"]),
      );
      return 0;
    }
    case "flow-runs get": {
      const run = await client.flowRuns.get(positional(rest, "the run's id"));
      print(
        run,
        () =>
          formatTable([run], ["name", "id", "state", "version", "durationMs"]),
      );
      return 0;
    }
    case "flow-runs create": {
      const fields = {
        parameters: jsonObject(flags.parameters, "--parameters"),
        runName: text(flags.name),
        idempotencyKey: text(flags["idempotency-key"]),
      };
      const flowId = text(flags["flow-id"]);
      const versionGroupId = text(flags["version-group-id"]);
      if ((flowId === undefined) === (versionGroupId === undefined)) {
        throw new UsageError(
          "flow-runs create needs exactly one of --flow-id or --version-group-id",
        );
      }
      const run = await client.flowRuns.create(
        flowId !== undefined
          ? { flowId, ...fields }
          : { versionGroupId: versionGroupId!, ...fields },
      );
      print(
        run,
        () => `Created flow run ${shown(run.name)} (${shown(run.id)})`,
      );
      return 0;
    }
    case "flow-runs set-state": {
      const id = positional(rest, "the run's id");
      const type = text(flags.state);
      if (type === undefined) throw new UsageError("set-state needs --state");
      const change = await client.flowRuns.setState(id, {
        version: wholeNumber(flags.version, "--version"),
        state: {
          type: type.toUpperCase() as StateType,
          message: text(flags.message),
        },
      });
      print(
        change,
        () =>
          `${shown(id)}: ${
            shown(change.state.type)
          }, version ${change.version}`,
      );
      return 0;
    }
    case "flow-runs watch": {
      const id = positional(rest, "the run's id");
      const interval = text(flags["interval-ms"]);
      const final = await watchFlowRun(client, id, {
        json,
        isTerminal: io.isTerminal,
        write: io.stderr,
        pollIntervalMs: interval
          ? wholeNumber(interval, "--interval-ms")
          : undefined,
      });
      if (json) io.stdout(JSON.stringify(final) + "\n");
      return final.type === "FAILED" || final.type === "CANCELLED" ? 3 : 0;
    }
    case "logs": {
      const flowRunId = text(flags["flow-run-id"]);
      if (flowRunId === undefined) {
        throw new UsageError("logs needs --flow-run-id");
      }
      const entries = await Array.fromAsync(client.logs.list({
        flowRunId,
        taskRunId: text(flags["task-run-id"]),
      }));
      print(
        entries,
        () =>
          entries.map((entry) =>
            `${shown(entry.timestamp)} ${shown(entry.level).padEnd(8)} ${
              shown(entry.message)
            }`
          ).join("\n"),
      );
      return 0;
    }
    case "secrets set": {
      const name = positional(rest, "the secret's name");
      const value = rest[1] ?? (await io.readStdin()).replace(/\r?\n$/, "");
      const secret = await client.secrets.set(name, value);
      print(secret, () => `Set secret ${shown(name)}`);
      return 0;
    }
    case "secrets":
    case "secrets list": {
      const names = await client.secrets.list();
      print(names, () => names.map(shown).join("\n"));
      return 0;
    }
    case "tokens":
    case "tokens list": {
      const tokens = await client.apiTokens.list(credentialFilter(flags))
        .toArray();
      print(
        tokens,
        () =>
          formatTable(tokens, [
            "name",
            "id",
            "scope",
            "username",
            "tenant",
            "expiresAt",
          ]),
      );
      return 0;
    }
    case "tokens revoke": {
      const id = positional(rest, "the token's id");
      await client.apiTokens.revoke(id);
      print({ revoked: id }, () => `Revoked API token ${shown(id)}`);
      return 0;
    }
    case "keys":
    case "keys list": {
      const keys = await client.accessKeys.list(credentialFilter(flags))
        .toArray();
      print(
        keys,
        () =>
          formatTable(keys, ["accessKey", "username", "tenant", "createdAt"]),
      );
      return 0;
    }
    case "keys revoke": {
      const accessKey = positional(rest, "the access key");
      await client.accessKeys.revoke(accessKey);
      print(
        { revoked: accessKey },
        () => `Revoked keypair ${shown(accessKey)}`,
      );
      return 0;
    }
    case "users set-password": {
      const username = positional(rest, "the username");
      if (flags.password !== undefined) {
        // A flag shows in the process list and the shell's history.
        throw new UsageError(
          "users set-password takes no --password: type it at the prompt or send it on stdin",
        );
      }
      // Users changing their own password must give the current one.
      const me = await client.get<{ username?: string }>("/me");
      const currentPassword = me.username === username
        ? await io.promptSecret!("Current password: ")
        : undefined;
      const password = await io.promptSecret!("New password: ");
      if (password === "" || currentPassword === "") {
        throw new UsageError(
          "users set-password needs the password on a terminal or on stdin",
        );
      }
      await client.users.setPassword(username, { password, currentPassword });
      print(
        { username },
        () => `Set the password of ${shown(username)}; its logins have ended`,
      );
      return 0;
    }
    case "users add": {
      const role = text(flags.role);
      if (role === undefined) {
        throw new UsageError(
          "users add needs --role (viewer, member or admin)",
        );
      }
      const membership = await client.users.addMembership({
        username: positional(rest, "the username"),
        tenant: requireTenant(client, "users add"),
        role: role as Role,
      });
      print(
        membership,
        () =>
          `Added ${shown(membership.username)} to ${
            shown(membership.tenant)
          } as ${shown(membership.role)}`,
      );
      return 0;
    }
    case "users remove": {
      const username = positional(rest, "the username");
      const tenant = requireTenant(client, "users remove");
      await client.users.removeMembership({ username, tenant });
      print(
        { username, tenant },
        () => `Removed ${shown(username)} from ${shown(tenant)}`,
      );
      return 0;
    }
    default:
      throw new UsageError(
        `Unknown command '${
          [command, sub].filter(Boolean).join(" ")
        }': run runplane --help`,
      );
  }
}

async function login(flags: Flags, io: CliIo): Promise<number> {
  let credentials: Credentials;
  if (text(flags.token) !== undefined) {
    credentials = new Credentials({ token: text(flags.token)! });
  } else if (text(flags.username) !== undefined) {
    credentials = new Credentials({
      username: text(flags.username)!,
      password: text(flags.password) ?? (await io.readStdin()).trim(),
    });
  } else if (text(flags["access-key"]) !== undefined) {
    credentials = new Credentials({
      accessKey: text(flags["access-key"])!,
      secretKey: text(flags["secret-key"]) ?? (await io.readStdin()).trim(),
    });
  } else {
    throw new UsageError(
      "login needs --token, --username (password on stdin or --password), or --access-key (secret key on stdin or --secret-key)",
    );
  }
  const config = loadConfig(configOptions(flags, io));
  await using client = new Client({ credentials, config });
  const tenants = await client.tenants.list();
  const path = await saveCredentials(credentials, {
    home: config.home,
    endpoint: config.endpoints,
  });
  if (flags.json) {
    io.stdout(JSON.stringify({ saved: path, tenants }) + "\n");
  } else {
    io.stdout(
      `Logged in (${credentials.mode}); ${tenants.length} tenant(s) visible. Credentials saved to ${path}\n`,
    );
  }
  return 0;
}

function credentialFilter(flags: Flags) {
  return { username: text(flags.username), tenant: text(flags["in-tenant"]) };
}

function requireTenant(client: Client, command: string): string {
  const tenant = client.config.tenant;
  if (tenant === undefined) {
    throw new UsageError(`${command} needs --tenant (or RUNPLANE_TENANT)`);
  }
  return tenant;
}

function configOptions(flags: Flags, io: CliIo): LoadConfigOptions {
  return {
    endpoints: text(flags.endpoint),
    tenant: text(flags.tenant),
    env: io.env,
  };
}

function text(value: string | boolean | undefined): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function positional(rest: string[], what: string): string {
  if (!rest[0]) throw new UsageError(`Missing ${what}`);
  return rest[0];
}

function wholeNumber(
  value: string | boolean | undefined,
  flag: string,
): number {
  const number = Number(value);
  if (
    typeof value !== "string" || !Number.isSafeInteger(number) || number < 0
  ) {
    throw new UsageError(`${flag} needs a whole number`);
  }
  return number;
}

function jsonObject(
  value: string | boolean | undefined,
  flag: string,
): Record<string, unknown> | undefined {
  if (typeof value !== "string") return undefined;
  try {
    const parsed = JSON.parse(value);
    if (
      typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
    ) {
      return parsed;
    }
  } catch {
    // Reported below, with the flag's name.
  }
  throw new UsageError(
    `${flag} needs a JSON object, such as '{"day":"2026-11-22"}'`,
  );
}

function describe(error: unknown): string {
  if (error instanceof RunplaneError || error instanceof UsageError) {
    return error.message;
  }
  if (isParseError(error)) {
    return `${(error as Error).message}: run runplane --help`;
  }
  return `unexpected failure: ${
    error instanceof Error ? error.message : String(error)
  }`;
}

function isParseError(error: unknown): boolean {
  return error instanceof TypeError &&
    String((error as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS");
}

function writeAll(
  file: { writeSync(p: Uint8Array): number },
  text: string,
): void {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  while (written < bytes.length) {
    written += file.writeSync(bytes.subarray(written));
  }
}

async function readStdin(): Promise<string> {
  return await new Response(Deno.stdin.readable).text();
}

/** Answers each prompt with the next line of stdin. */
function stdinLines(
  read: () => Promise<string>,
): (label: string) => Promise<string> {
  let lines: Promise<string[]> | undefined;
  let next = 0;
  return async function nextLine(): Promise<string> {
    lines ??= read().then((text) => text.split(/\r?\n/));
    return (await lines)[next++] ?? "";
  };
}

/** Reads a line from the terminal without echoing it. */
async function hiddenPrompt(label: string): Promise<string> {
  // Raw before the prompt shows: what is typed once it shows is never echoed.
  Deno.stdin.setRaw(true);
  writeAll(Deno.stderr, label);
  const bytes: number[] = [];
  try {
    const byte = new Uint8Array(1);
    while (await Deno.stdin.read(byte) === 1) {
      if (byte[0] === 0x0d || byte[0] === 0x0a) break;
      if (byte[0] === 0x03) throw new UsageError("Cancelled");
      if (byte[0] === 0x7f || byte[0] === 0x08) {
        // Backspace: drop one character, with its UTF-8 continuation bytes.
        while ((bytes.at(-1)! & 0xc0) === 0x80) bytes.pop();
        bytes.pop();
      } else {
        bytes.push(byte[0]);
      }
    }
  } finally {
    Deno.stdin.setRaw(false);
    writeAll(Deno.stderr, "\n");
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

if (import.meta.main) Deno.exit(await main(Deno.args));
