/**
 * The module graph points one way. For each export entry this reads
 * `deno info --json` and fails on any import cycle, or on any module that
 * imports from a layer above its own. Bottom to top: errors and version, the
 * wire contract, the transport, auth, config, the Jupyter renderers, the
 * client's core (request options, close hooks, scope), the resources, the
 * client itself (which constructs the resources), the runner, the CLI. The
 * server stands beside the client layers: it may use the base, the contract
 * and `auth/`, and nothing of the client may use it; only the CLI, at the
 * top, may start it (`runplane serve`).
 */

import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";

const ROOT = fromFileUrl(new URL("../", import.meta.url));
const ENTRIES = [
  "mod.ts",
  "server/mod.ts",
  "cli/mod.ts",
  "auth/hmac.ts",
  "jupyter/mod.ts",
];

/** Each layer, bottom first, with the paths (from the root) it holds. */
const LAYERS: readonly { name: string; paths: readonly string[] }[] = [
  {
    name: "base",
    paths: [
      "errors.ts",
      "version.ts",
      "escape.ts",
      "state_colours.ts",
      "whole_number.ts",
    ],
  },
  { name: "contract", paths: ["api/"] },
  { name: "transport", paths: ["transport/"] },
  { name: "auth", paths: ["auth/"] },
  { name: "config", paths: ["config/"] },
  { name: "jupyter", paths: ["jupyter/"] },
  {
    name: "client core",
    paths: [
      "client/request_options.ts",
      "client/close_hooks.ts",
      "client/_scope.ts",
    ],
  },
  { name: "resources", paths: ["client/resources/"] },
  { name: "client", paths: ["client/"] },
  { name: "runner", paths: ["runner/"] },
  { name: "cli", paths: ["cli/"] },
  { name: "entry", paths: ["mod.ts"] },
];
/** The layers a server module may import, besides the server itself. */
const SERVER_MAY_USE = new Set(["base", "contract", "auth"]);

interface InfoModule {
  specifier: string;
  dependencies?: {
    code?: { specifier: string };
    type?: { specifier: string };
  }[];
}

/** The in-repository import graph of one entry, by path from the root. */
async function importGraph(entry: string): Promise<Map<string, string[]>> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(output.success, new TextDecoder().decode(output.stderr));
  const info = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    modules: InfoModule[];
  };
  const local = (specifier: string) =>
    specifier.startsWith("file://")
      ? fromFileUrl(specifier).slice(ROOT.length)
      : undefined;
  const graph = new Map<string, string[]>();
  for (const module of info.modules) {
    const from = local(module.specifier);
    if (from === undefined) continue;
    const targets = new Set<string>();
    for (const dependency of module.dependencies ?? []) {
      for (const target of [dependency.code, dependency.type]) {
        const to = target && local(target.specifier);
        if (to !== undefined && to !== from) targets.add(to);
      }
    }
    graph.set(from, [...targets]);
  }
  return graph;
}

function layerOf(path: string): { name: string; rank: number } {
  if (path.startsWith("server/")) return { name: "server", rank: -1 };
  const rank = LAYERS.findIndex((layer) =>
    layer.paths.some((prefix) =>
      prefix.endsWith("/") ? path.startsWith(prefix) : path === prefix
    )
  );
  assert.ok(rank >= 0, `${path} belongs to no layer: add it to LAYERS`);
  return { name: LAYERS[rank].name, rank };
}

/** Every import that breaks the layering, as `from -> to (why)`. */
function upwardImports(graph: Map<string, string[]>): string[] {
  const broken: string[] = [];
  for (const [from, targets] of graph) {
    const source = layerOf(from);
    for (const to of targets) {
      const target = layerOf(to);
      const allowed = source.name === "server"
        ? target.name === "server" || SERVER_MAY_USE.has(target.name)
        : target.name === "server"
        ? source.name === "cli"
        : target.rank <= source.rank;
      if (!allowed) {
        broken.push(`${from} (${source.name}) -> ${to} (${target.name})`);
      }
    }
  }
  return broken;
}

/** The strongly connected components of more than one module (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

Deno.test("module graph has no import cycle and no upward import", async (t) => {
  for (const entry of ENTRIES) {
    const graph = await importGraph(entry);
    await t.step(`${entry}: no import cycle`, () => {
      assert.deepEqual(cycles(graph), []);
    });
    await t.step(`${entry}: every import points down`, () => {
      assert.deepEqual(upwardImports(graph), []);
    });
  }
});

Deno.test("module graph checks catch a cycle and an upward import", async (t) => {
  await t.step("a cycle of two modules is found", () => {
    const graph = new Map([
      ["client/client.ts", ["client/resources/tenants.ts"]],
      ["client/resources/tenants.ts", ["client/client.ts"]],
    ]);
    assert.deepEqual(cycles(graph), [[
      "client/client.ts",
      "client/resources/tenants.ts",
    ]]);
  });
  await t.step("auth importing the client is upward", () => {
    const graph = new Map([["auth/credentials.ts", ["client/client.ts"]]]);
    assert.deepEqual(upwardImports(graph), [
      "auth/credentials.ts (auth) -> client/client.ts (client)",
    ]);
  });
  await t.step("the client importing the server is refused", () => {
    const graph = new Map([["client/client.ts", ["server/store.ts"]]]);
    assert.equal(upwardImports(graph).length, 1);
  });
  await t.step("the server importing the client is refused", () => {
    const graph = new Map([["server/app.ts", ["client/client.ts"]]]);
    assert.equal(upwardImports(graph).length, 1);
  });
});
