/**
 * Running the CLI on a pseudo-terminal through script(1), where hidden
 * prompts and the live status line behave as they do for a person.
 *
 * @module
 */

const CLI = new URL("../../cli/mod.ts", import.meta.url).pathname;

/** Whether script(1) is installed; the terminal tests skip without it. */
export async function hasScript(): Promise<boolean> {
  const found = await new Deno.Command("sh", {
    args: ["-c", "command -v script"],
    stdout: "null",
  }).output();
  return found.success;
}

/** Starts `runplane <args>` on a pseudo-terminal, its input piped. */
export function spawnCliOnTerminal(
  args: readonly string[],
  env: Record<string, string>,
): Deno.ChildProcess {
  const command = [
    Deno.execPath(),
    "run",
    "--allow-net=127.0.0.1",
    "--allow-env",
    "--allow-read",
    "--allow-write",
    CLI,
    ...args,
  ].map((part) => `'${part}'`).join(" ");
  return new Deno.Command("script", {
    args: ["-qec", command, "/dev/null"],
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}
