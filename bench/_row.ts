/** One line of the benchmark table. */
export interface Row {
  /** What was measured. */
  name: string;
  /** The figure, formatted. */
  figure: string;
  /** The goal, in words. */
  goal: string;
  /** Whether the figure meets the goal; `undefined` where there is none. */
  met?: boolean;
}

/** Formats a number with a fixed count of decimals. */
export function fixed(value: number, digits = 2): string {
  return value.toFixed(digits);
}

/** Starts the JSON server in its own process; close stdin to stop it. */
export async function startJsonServer(): Promise<
  { url: string; stop(): Promise<void> }
> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      new URL("./_json_server.ts", import.meta.url).pathname,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const port = await firstMatch(child.stdout, /^(\d+)\n/);
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await child.stdin.close();
      await child.status;
    },
  };
}

/**
 * Reads a server's output until `pattern` matches, then lets go of it.
 *
 * @returns The pattern's first group.
 */
export async function firstMatch(
  stream: ReadableStream<Uint8Array>,
  pattern: RegExp,
): Promise<string> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`The benchmark server did not start: ${seen}`);
    seen += value;
    const match = pattern.exec(seen);
    if (match) {
      await reader.cancel();
      return match[1];
    }
  }
}
