/**
 * Runs the command line in-process for the CLI tests, with captured output,
 * a given environment, stdin, and stand-ins for the terminal and Ctrl-C.
 *
 * @module
 */

import { main } from "../../cli/mod.ts";

/** What a run of the CLI printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Stand-ins for what a person at a terminal does. */
export interface CliRunOptions {
  /** What stdin holds. */
  stdin?: string;
  /** Whether stderr counts as a terminal. */
  isTerminal?: boolean;
  /** Answers a visible question, as a person at a terminal would. */
  ask?: (question: string) => string | null;
  /** Ctrl-C. */
  signal?: AbortSignal;
  /** Sees stderr as it is written. */
  onStderr?: (text: string) => void;
}

/** Runs `runplane <args>` in-process. */
export async function cli(
  args: string[],
  env: Record<string, string>,
  options: CliRunOptions = {},
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => {
      stderr += text;
      options.onStderr?.(text);
    },
    readStdin: () => Promise.resolve(options.stdin ?? ""),
    isTerminal: options.isTerminal ?? false,
    ask: options.ask,
    signal: options.signal,
    env,
  });
  return { code, stdout, stderr };
}
