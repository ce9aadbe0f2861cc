import { interleave, median } from "./_stats.ts";
import { fixed, type Row } from "./_row.ts";

// A round takes about 60 ms; a process's start varies by a few ms.
const ROUNDS = 21;

/** A fresh process that imports mod.ts and builds a client, vs one that does nothing. */
export async function coldStart(): Promise<Row[]> {
  const run = (file: string) => async () => {
    const { success } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-env",
        "--allow-read",
        new URL(file, import.meta.url).pathname,
      ],
      stdout: "null",
      stderr: "inherit",
    }).output();
    if (!success) throw new Error(`${file} failed`);
  };
  const times = await interleave({
    empty: run("./_cold_empty.ts"),
    client: run("./_cold_client.ts"),
  }, ROUNDS);
  const added = median(
    times.client.map((time, round) => time - times.empty[round]),
  );
  return [
    {
      name:
        "Cold start: import mod.ts and build a client, added to an empty process",
      figure: `${fixed(added, 1)} ms`,
      goal: "< 20 ms",
      met: added < 20,
    },
    {
      name: "Client module graph (mod.ts and what it imports, source bytes)",
      figure: `${(await graphBytes() / 1024).toFixed(1)} KiB`,
      goal: "(no goal)",
    },
  ];
}

async function graphBytes(): Promise<number> {
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL("../mod.ts", import.meta.url).pathname],
    stdout: "piped",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(stdout)) as {
    modules: Array<{ size?: number }>;
  };
  return info.modules.reduce((sum, module) => sum + (module.size ?? 0), 0);
}
