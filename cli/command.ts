/**
 * {@linkcode Command}: one entry of the command table, with its usage, its
 * flags and its handler together, and the helpers handlers share to read
 * their arguments. A new command is a new entry in a module of
 * `cli/commands/` plus one line in `cli/commands/mod.ts`.
 *
 * @module
 */

import type { Client } from "../client/client.ts";
import type { LoadConfigOptions } from "../config/config.ts";
import type { EnvSource } from "../config/env.ts";
import type { Output } from "./_output.ts";
import { checkWholeNumber } from "../whole_number.ts";

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
  /**
   * Asks a question and reads the answer, echoed; `undefined` where nobody
   * can answer (stdin is not a terminal). By default Deno's `prompt()` on a
   * terminal.
   */
  ask?: (question: string) => string | null;
  /** Whether stderr is a terminal (a live status line) or not (plain lines). */
  isTerminal: boolean;
  /** Variables to read instead of the process environment. */
  env?: EnvSource;
  /**
   * Ends a waiting command (`flow-runs watch`, `logs --follow`) as Ctrl-C
   * does; SIGINT always does.
   */
  signal?: AbortSignal;
}

/** A flag a command takes, as `node:util` `parseArgs` describes it. */
export interface FlagSpec {
  /** Whether the flag takes a value. */
  type: "string" | "boolean";
}

/** The flags given, by name. */
export type Flags = Readonly<Record<string, string | boolean | undefined>>;

/** What a handler is handed. */
export interface CommandContext {
  /**
   * The client, from the saved or environment credentials, made on first
   * use and closed when the command ends.
   */
  readonly client: Client;
  /** The options for `loadConfig()` that the flags and `io.env` give. */
  readonly configOptions: LoadConfigOptions;
  /** The positionals after the command's name. */
  args: readonly string[];
  /** The flags given. */
  flags: Flags;
  /** Where to write. */
  io: CliIo;
  /** Whether `--json` was given. */
  json: boolean;
  /** Prints `value` as JSON with `--json`, else what `table()` makes. */
  print(value: unknown, table: () => string): void;
}

/** One command of the table. */
export interface Command {
  /** The words that call it, such as `"flow-runs list"`. */
  name: string;
  /** Other words that call it, such as `"projects"` for `"projects list"`. */
  aliases?: readonly string[];
  /** Its line in `--help`, after the name. */
  usage: string;
  /** The flags it reads, beyond those of every command. */
  flags?: Readonly<Record<string, FlagSpec>>;
  /**
   * Whether a one-word command takes positionals right after its name
   * (`logs <flow-run-id>`); else a second word must name a command.
   */
  positionals?: boolean;
  /**
   * Whether it parses its own arguments (`serve`), which are then handed
   * over unparsed, as `args`.
   */
  rawArgs?: boolean;
  /** Runs it; resolves the exit code. */
  run(ctx: CommandContext): Promise<number>;
}

/** A mistake in how the command was called: exit code 2. */
export class UsageError extends Error {}

/** A non-empty string flag, else `undefined`. */
export function text(value: string | boolean | undefined): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The first positional, or a usage error naming what is missing. */
export function positional(args: readonly string[], what: string): string {
  if (!args[0]) throw new UsageError(`Missing ${what}`);
  return args[0];
}

/** A flag that must be a whole number. */
export function wholeNumber(
  value: string | boolean | undefined,
  flag: string,
): number {
  return checkWholeNumber(typeof value === "string" ? Number(value) : NaN, {
    min: 0,
    fail: () => new UsageError(`${flag} needs a whole number`),
  });
}

/** A flag that must hold a JSON object, if given. */
export function jsonObject(
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

/** The tenant of `--tenant`, `RUNPLANE_TENANT` or the profile, which `command` needs. */
export function requireTenant(client: Client, command: string): string {
  const tenant = client.config.tenant;
  if (tenant === undefined) {
    throw new UsageError(
      `${command} needs a tenant: pass --tenant, set RUNPLANE_TENANT, or run runplane config set tenant <slug>`,
    );
  }
  return tenant;
}

/** A flag holding a log level or a state, in any case, upper-cased. */
export function choice<T extends string>(
  value: string | boolean | undefined,
  flag: string,
  allowed: readonly T[],
): T | undefined {
  const given = text(value)?.toUpperCase();
  if (given === undefined) return undefined;
  if (!allowed.includes(given as T)) {
    throw new UsageError(
      `${flag} needs one of ${allowed.join(", ")} (any case)`,
    );
  }
  return given as T;
}
