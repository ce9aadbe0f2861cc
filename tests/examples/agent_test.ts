import assert from "node:assert/strict";

const AGENT = new URL("../../examples/agent.ts", import.meta.url);

Deno.test("examples/agent.ts runs the runs scheduled for its flow, then stops", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-env",
      "--allow-read",
      AGENT.pathname,
    ],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  assert.match(
    stdout,
    /^(nightly-[0-9a-f]{8}: SUCCESS, 1000 rows\n){3}agent stopped\n$/,
  );
});
