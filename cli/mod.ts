/**
 * `runplane`, the command line: log in once (per profile), then list tenants
 * and projects, create, watch and cancel flow runs, follow logs, set secrets
 * and concurrency limits, create and revoke credentials, manage users, or
 * start the local reference server. Every
 * command takes `--json` for scripts; errors print one line and exit
 * non-zero (a stack trace only with `--debug`). Text from the server is
 * printed with its control characters escaped, so a log line cannot send
 * escape sequences to the terminal; `--json` output is left as it is.
 *
 * ```sh
 * deno run -A jsr:@runplane/client/cli login --endpoint http://127.0.0.1:4200
 * deno run -A jsr:@runplane/client/cli flow-runs create --flow train
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
import { ConfigError, RunplaneError } from "../errors.ts";
import { VERSION } from "../version.ts";
import { Credentials } from "../auth/credentials.ts";
import type { LoadConfigOptions } from "../config/config.ts";
import { type Output, shown } from "./_output.ts";
import {
  type CliIo,
  type Command,
  type CommandContext,
  type Flags,
  type FlagSpec,
  text,
  UsageError,
} from "./command.ts";
import { COMMANDS } from "./commands/mod.ts";

export type { CliIo, Output };

/** The flags every command takes. */
const GLOBAL_FLAGS: Readonly<Record<string, FlagSpec>> = {
  "endpoint": { type: "string" },
  "tenant": { type: "string" },
  "profile": { type: "string" },
  "json": { type: "boolean" },
  "debug": { type: "boolean" },
  "help": { type: "boolean" },
};

/** Every command by the words that call it. */
const BY_NAME = new Map<string, Command>(
  COMMANDS.flatMap((command) =>
    [command.name, ...command.aliases ?? []].map((name) => [name, command])
  ),
);

/** Every flag of every command: one parse, strict about unknown flags. */
const OPTIONS: Readonly<Record<string, FlagSpec>> = Object.assign(
  {},
  GLOBAL_FLAGS,
  ...COMMANDS.map((command) => command.flags ?? {}),
);

const USAGE = `Usage: runplane <command> [options]

Commands:
${
  COMMANDS.map((command) =>
    `  ${command.name}${command.usage ? ` ${command.usage}` : ""}`
  ).join("\n")
}
  help

Options for every command:
  --endpoint URL   API endpoint(s), comma-separated (else RUNPLANE_ENDPOINT)
  --tenant SLUG    tenant (else RUNPLANE_TENANT, else the profile's)
  --profile NAME   the saved profile to use (else RUNPLANE_PROFILE, else default)
  --json           machine-readable output
  --debug          print stack traces of errors
  --help           this text (also: runplane help)
  --version        the version of runplane (as the only argument)

Settings come from the flags, then the environment, then .env, then the
profile that 'login' and 'config set' write. Credentials come from
RUNPLANE_TOKEN, RUNPLANE_USERNAME/RUNPLANE_PASSWORD,
RUNPLANE_ACCESS_KEY/RUNPLANE_SECRET_KEY, or the profile's saved credential.`;

/**
 * Runs one command.
 *
 * @param args The arguments, without the program name.
 * @param io Where to write; defaults to the process's streams.
 * @returns The exit code: 0 on success, 1 on failure, 2 on a usage mistake,
 * 3 when a watched run ended `FAILED` or `CANCELLED`, 130 when Ctrl-C ended
 * `flow-runs watch` or `logs --follow`.
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
  const interactive = io.readStdin === undefined && Deno.stdin.isTerminal();
  streams.ask = "ask" in io ? io.ask : interactive ? prompt : undefined;
  streams.signal = io.signal;
  streams.promptSecret = io.promptSecret ??
    (interactive ? hiddenPrompt : stdinLines(streams.readStdin));
  // Before the parse: `set-state` takes `--version N`, the run's version.
  if (args[0] === "--version" || args[0] === "version") {
    streams.stdout(`runplane ${VERSION}\n`);
    return 0;
  }
  const raw = BY_NAME.get(args[0]);
  if (raw?.rawArgs) {
    return await run(raw, args.slice(1), {}, streams);
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
    if (flags.help || parsed.positionals[0] === "help") {
      streams.stdout(USAGE + "\n");
      return 0;
    }
    if (parsed.positionals.length === 0) {
      streams.stderr(USAGE + "\n");
      return 2;
    }
    const [first, second, ...rest] = parsed.positionals;
    let command = BY_NAME.get(`${first} ${second ?? ""}`.trim());
    let positionals = rest;
    if (command === undefined && BY_NAME.get(first)?.positionals) {
      command = BY_NAME.get(first);
      positionals = parsed.positionals.slice(1);
    }
    if (command === undefined || command.rawArgs) {
      throw new UsageError(
        `Unknown command '${
          [first, second].filter(Boolean).join(" ")
        }': run runplane --help`,
      );
    }
    return await run(command, positionals, flags, streams);
  } catch (error) {
    streams.stderr(`error: ${shown(describe(error))}\n`);
    if (flags.debug && error instanceof Error && error.stack) {
      streams.stderr(error.stack + "\n");
    }
    const usage = error instanceof UsageError || isParseError(error);
    // Usage mistakes show what is valid, on stderr so scripts see only results.
    if (usage) streams.stderr(USAGE + "\n");
    return usage ? 2 : 1;
  }
}

/** Runs one command with a client made on first use and closed after. */
async function run(
  command: Command,
  args: readonly string[],
  flags: Flags,
  io: CliIo,
): Promise<number> {
  const json = flags.json === true;
  const configOptions: LoadConfigOptions = {
    endpoints: text(flags.endpoint),
    tenant: text(flags.tenant),
    profile: text(flags.profile),
    env: io.env,
  };
  let client: Client | undefined;
  const ctx: CommandContext = {
    get client() {
      return client ??= new Client({
        credentials: new Credentials({ useEnv: true }),
        config: configOptions,
      });
    },
    configOptions,
    args,
    flags,
    io,
    json,
    print: (value, table) =>
      io.stdout((json ? JSON.stringify(value, null, 2) : table()) + "\n"),
  };
  try {
    return await command.run(ctx);
  } finally {
    await client?.close();
  }
}

function describe(error: unknown): string {
  if (
    error instanceof ConfigError && error.message.startsWith("No credentials")
  ) {
    // The library's advice (saveCredentials()) is for code; here it is login.
    return `No credentials found: run runplane login, or set RUNPLANE_TOKEN (or RUNPLANE_USERNAME and RUNPLANE_PASSWORD, or RUNPLANE_ACCESS_KEY and RUNPLANE_SECRET_KEY)`;
  }
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
