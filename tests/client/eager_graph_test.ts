/**
 * What importing the client loads. Each module on `mod.ts`'s static graph
 * adds to every program's cold start, so code that only some calls need is
 * loaded by the first of them: a flow run's execution (logs, console
 * capture, state changes), a task call's recording inside a flow run, the
 * agent behind `serve()`, the notebook
 * renderers (the first value a notebook shows), HMAC signing (a keypair
 * client's first request) and the HMAC verification the server uses.
 */

import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";

const ROOT = fromFileUrl(new URL("../../", import.meta.url));

interface Dependency {
  code?: { specifier: string };
  isDynamic?: boolean;
}

/** The modules `mod.ts` loads before any call: static, non-type imports. */
async function eagerGraph(): Promise<Set<string>> {
  const { stdout, success } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", `${ROOT}mod.ts`],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.ok(success, "deno info failed");
  const info = JSON.parse(new TextDecoder().decode(stdout)) as {
    modules: { specifier: string; dependencies?: Dependency[] }[];
  };
  const imports = new Map(
    info.modules.map((module) => [
      module.specifier,
      (module.dependencies ?? [])
        .filter((dependency) => dependency.code && !dependency.isDynamic)
        .map((dependency) => dependency.code!.specifier),
    ]),
  );
  const root = new URL("mod.ts", `file://${ROOT}`).href;
  const seen = new Set<string>();
  const pending = [root];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    pending.push(...imports.get(next) ?? []);
  }
  return new Set(
    [...seen].map((specifier) => specifier.replace(`file://${ROOT}`, "")),
  );
}

Deno.test("importing the client leaves flow and task execution, the agent, the notebook renderers, and HMAC signing and verification for later", async () => {
  const graph = await eagerGraph();
  assert.ok(
    graph.has("runner/flow.ts") && graph.has("auth/hmac_authenticator.ts"),
  );
  for (
    const lazy of [
      "runner/_execute_flow.ts",
      "runner/_console_capture.ts",
      "runner/_run_logs.ts",
      "runner/_agent.ts",
      "runner/_execute_task.ts",
      "runner/_heartbeat.ts",
      "runner/_run_state.ts",
      "jupyter/render.ts",
      "jupyter/mod.ts",
      "auth/hmac_sign.ts",
      "auth/sha2.ts",
      "auth/url_parts.ts",
      "auth/hmac_verify.ts",
    ]
  ) {
    assert.ok(!graph.has(lazy), `${lazy} is on mod.ts's static graph`);
  }
});
