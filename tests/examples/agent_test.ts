import assert from "node:assert/strict";
import { runExample } from "./_run_example.ts";

Deno.test("examples/agent.ts runs the runs scheduled for its flow, then stops", async () => {
  const { code, stdout, stderr } = await runExample("agent.ts");
  assert.equal(code, 0, stderr);
  assert.match(
    stdout,
    /^(nightly-[0-9a-f]{12}: SUCCESS, 1000 rows\n){3}agent stopped\n$/,
  );
});
