/**
 * Runs a snippet in a fresh Deno process with a chosen environment and
 * permissions, for behaviour that depends on the process environment.
 *
 * @module
 */

/** What the snippet printed, and how it exited. */
export interface DenoResult {
  /** The exit code. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** Where the repository's source lives, for `import` in snippets. */
export const ROOT = new URL("../../", import.meta.url).href;

/**
 * Writes `code` to a temporary module and runs it with `deno run`, the given
 * permission flags, and only the given environment (plus what Deno itself
 * needs), in an empty temporary folder. Imports may use `ROOT` + path.
 */
export async function runDeno(
  code: string,
  options: { env?: Record<string, string>; flags?: string[] } = {},
): Promise<DenoResult> {
  const folder = await Deno.makeTempDir({ prefix: "runplane_sub_" });
  try {
    const script = `${folder}/main.ts`;
    await Deno.writeTextFile(script, code);
    const inherited: Record<string, string> = {};
    for (const name of ["PATH", "DENO_DIR", "XDG_CACHE_HOME"]) {
      const value = Deno.env.get(name);
      if (value !== undefined) inherited[name] = value;
    }
    if (inherited.DENO_DIR === undefined) {
      const home = Deno.env.get("HOME");
      if (home) inherited.DENO_DIR = `${home}/.cache/deno`;
    }
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        "--no-config",
        ...(options.flags ?? []),
        script,
      ],
      cwd: folder,
      clearEnv: true,
      env: { ...inherited, ...options.env },
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).output();
    return decodeOutput(output);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

/** A finished process's exit code and its output as text. */
export function decodeOutput(output: Deno.CommandOutput): DenoResult {
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}
