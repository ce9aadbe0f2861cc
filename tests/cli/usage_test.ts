import assert from "node:assert/strict";
import { VERSION } from "../../version.ts";

const CLI = new URL("../../cli/mod.ts", import.meta.url).pathname;

/**
 * Runs the CLI as a process with no credentials: an empty RUNPLANE_HOME, and
 * a working directory without a `.env`.
 */
async function runplane(args: string[]) {
  const home = await Deno.makeTempDir();
  try {
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net=127.0.0.1",
        "--allow-env",
        "--allow-read",
        CLI,
        ...args,
      ],
      cwd: home,
      env: { RUNPLANE_HOME: home, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    return {
      code: output.code,
      stdout: decode(output.stdout),
      stderr: decode(output.stderr),
    };
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("runplane usage needs no credentials", async (t) => {
  await t.step("help and --help print usage and exit 0", async () => {
    for (const args of [["help"], ["--help"], ["flow-runs", "--help"]]) {
      const result = await runplane(args);
      assert.equal(result.code, 0, `${args}: ${result.stderr}`);
      assert.match(result.stdout, /^Usage: runplane <command>/);
      assert.equal(result.stderr, "");
    }
  });

  await t.step("--version prints the version and exits 0", async () => {
    const result = await runplane(["--version"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `runplane ${VERSION}\n`);
  });

  await t.step(
    "a bare group, an unknown command or flag print usage and exit 2",
    async () => {
      for (
        const args of [
          ["flow-runs"],
          ["users"],
          ["fly"],
          ["tenants", "--x"],
          [],
        ]
      ) {
        const result = await runplane(args);
        assert.equal(result.code, 2, `${args}: ${result.stderr}`);
        assert.match(result.stderr, /Usage: runplane <command>/);
        assert.ok(!result.stderr.includes("credentials"), result.stderr);
        assert.equal(result.stdout, "");
      }
    },
  );

  await t.step("the no-credentials message names runplane login", async () => {
    const result = await runplane(["projects", "list"]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^error: No credentials found: run runplane login/,
    );
    assert.ok(!result.stderr.includes(" at "), "no stack trace");
  });
});
