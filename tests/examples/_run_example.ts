/**
 * Runs a script of `examples/` as a user would, with the permissions its
 * header gives.
 *
 * @module
 */

import { decodeOutput, type DenoResult } from "../_helpers/subprocess.ts";

/** What else {@linkcode runExample} gives the script. */
export interface RunExampleOptions {
  /** More permission flags, such as `--allow-write`. */
  flags?: string[];
  /** More environment variables (`NO_COLOR` is always set). */
  env?: Record<string, string>;
}

/** Runs `examples/<name>` and returns its exit code and output. */
export async function runExample(
  name: string,
  options: RunExampleOptions = {},
): Promise<DenoResult> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-env",
      "--allow-read",
      ...options.flags ?? [],
      new URL(`../../examples/${name}`, import.meta.url).pathname,
    ],
    env: { ...options.env, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return decodeOutput(output);
}
