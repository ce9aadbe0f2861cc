import assert from "node:assert/strict";
import { runExample } from "./_run_example.ts";

const QUICK_START = new URL("../../examples/quick_start.ts", import.meta.url);
const README = new URL("../../README.md", import.meta.url);

Deno.test("the README's quick start is examples/quick_start.ts with JSR imports", async () => {
  const script = await Deno.readTextFile(QUICK_START);
  const asPublished = script
    .replace(
      'import { Client, Credentials, flow, getRunLogger, task } from "../mod.ts"; // jsr:@runplane/client',
      // Without the comment, deno fmt breaks the longer line.
      'import {\n  Client,\n  Credentials,\n  flow,\n  getRunLogger,\n  task,\n} from "jsr:@runplane/client";',
    )
    .replace(
      'import { startServer } from "../server/mod.ts"; // jsr:@runplane/client/server',
      'import { startServer } from "jsr:@runplane/client/server";',
    );
  assert.notEqual(asPublished, script, "the imports were mapped");
  const readme = await Deno.readTextFile(README);
  assert.ok(
    readme.includes("```ts\n" + asPublished + "```"),
    "README.md shows examples/quick_start.ts as it runs",
  );
});

Deno.test("the quick start runs against a local server and prints the finished run", async () => {
  const { code, stdout, stderr } = await runExample("quick_start.ts");
  assert.equal(code, 0, stderr);
  assert.match(
    stdout,
    /^train-[0-9a-f]{12}: SUCCESS after 4 states, loss 0\.333\n$/,
  );
});
