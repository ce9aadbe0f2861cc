import assert from "node:assert/strict";
import { main } from "../../cli/mod.ts";
import { COMMANDS } from "../../cli/commands/mod.ts";

Deno.test("main() --help lists every command of the table with its usage", async () => {
  let help = "";
  const code = await main(["--help"], {
    stdout: (text) => void (help += text),
  });
  assert.equal(code, 0);
  for (const command of COMMANDS) {
    const line = `  ${command.name}${
      command.usage ? ` ${command.usage.split("\n")[0]}` : ""
    }\n`;
    assert.ok(help.includes(line), `--help lacks: ${line}`);
  }
});

Deno.test("main() resolves every name and alias of the table, and no other", async (t) => {
  const names = COMMANDS.flatMap((c) => [c.name, ...c.aliases ?? []]);
  assert.equal(new Set(names).size, names.length, "a name is taken twice");
  await t.step("a name that is not in the table is a usage error", async () => {
    let errors = "";
    const code = await main(["projects", "rename"], {
      stderr: (text) => void (errors += text),
      env: { RUNPLANE_TOKEN: "rp_x", RUNPLANE_ENDPOINT: "http://127.0.0.1:9" },
    });
    assert.equal(code, 2);
    assert.ok(
      errors.startsWith(
        "error: Unknown command 'projects rename': run runplane --help\nUsage:",
      ),
      errors,
    );
  });
});
