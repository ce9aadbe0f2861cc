/**
 * Finds or registers a flow by name in its project, once per client.
 *
 * @module
 */

import type { Client } from "../client/client.ts";
import type { Flow } from "../api/mod.ts";
import type { FlowSpec } from "./_flow_spec.ts";

const registered = new WeakMap<Client, Map<FlowSpec, Promise<Flow>>>();

/**
 * The flow version to run `spec` as: the current version of that name in
 * the project when its definition matches, else a new version. The project
 * is created when missing. One lookup per client and definition, shared by
 * concurrent runs; `forget` drops it (say, after the flow was deleted).
 */
export function registerFlow(
  client: Client,
  spec: FlowSpec,
  forget = false,
): Promise<Flow> {
  let flows = registered.get(client);
  if (flows === undefined) registered.set(client, flows = new Map());
  let flow = forget ? undefined : flows.get(spec);
  if (flow === undefined) {
    flow = lookUp(client, spec);
    flows.set(spec, flow);
    flow.catch(() => flows.delete(spec));
  }
  return flow;
}

async function lookUp(client: Client, spec: FlowSpec): Promise<Flow> {
  const project = await client.projects.getOrCreate({
    name: spec.options.project,
  });
  const definition = {
    description: spec.options.description,
    heartbeatIntervalMs: spec.options.heartbeatIntervalMs,
    logPrints: spec.options.logPrints,
  };
  const versions = await client.flows.list({
    project: project.id,
    name: spec.name,
  }).toArray();
  const current = versions.find((flow) => !flow.archived);
  if (
    current !== undefined &&
    canonical(current.definition) === canonical(definition)
  ) {
    return current;
  }
  return await client.flows.register({
    name: spec.name,
    project: project.id,
    definition,
  });
}

/** JSON with object keys sorted, to compare definitions. */
function canonical(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, item) =>
      item !== null && typeof item === "object" && !Array.isArray(item)
        ? Object.fromEntries(
          Object.entries(item).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0),
        )
        : item,
  );
}
