/**
 * Runs a script of `examples/` as a user would, with the permissions its
 * header gives.
 *
 * @module
 */

import { decodeOutput, type DenoResult } from "../_helpers/subprocess.ts";

/** Runs `examples/<name>` and returns its exit code and output. */
export async function runExample(name: string): Promise<DenoResult> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-env",
      "--allow-read",
      new URL(`../../examples/${name}`, import.meta.url).pathname,
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return decodeOutput(output);
}
