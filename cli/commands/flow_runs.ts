/**
 * `runplane flow-runs ...`: list, get, create, set the state of, cancel and watch
 * flow runs.
 *
 * @module
 */

import {
  type Flow,
  type FlowRun,
  STATE_TYPES,
  type StateType,
  type TaskRun,
} from "../../api/mod.ts";
import { InvalidArgumentError } from "../../errors.ts";
import type { Client } from "../../client/client.ts";
import { formatTable, shown } from "../_output.ts";
import { watchFlowRun } from "../_watch.ts";
import { interruptible } from "../_interrupt.ts";
import { listPage, PAGE_FLAGS, PAGE_USAGE } from "../_paging.ts";
import {
  choice,
  type Command,
  jsonObject,
  positional,
  text,
  UsageError,
  wholeNumber,
} from "../command.ts";

const RUN_COLUMNS = ["name", "id", "state", "version", "durationMs"] as const;

/** The `flow-runs` commands. */
export const FLOW_RUN_COMMANDS: readonly Command[] = [
  {
    name: "flow-runs list",
    usage:
      `[--flow-id F | --flow NAME] [--state S] [--name N] [--created-after T] [--created-before T] ${PAGE_USAGE}`,
    flags: {
      "flow-id": { type: "string" },
      "flow": { type: "string" },
      "project-id": { type: "string" },
      "state": { type: "string" },
      "name": { type: "string" },
      "created-after": { type: "string" },
      "created-before": { type: "string" },
      ...PAGE_FLAGS,
    },
    async run(ctx) {
      const { client, flags, print } = ctx;
      const flowName = text(flags.flow);
      const runs = await listPage<FlowRun>(ctx, "/flow-runs", {
        flowId: text(flags["flow-id"]),
        versionGroupId: flowName === undefined ? undefined : (await flowByName(
          client,
          flowName,
          text(flags["project-id"]),
        )).versionGroupId,
        // Any case, as everywhere a state is typed: `--state failed`.
        state: choice<StateType>(flags.state, "--state", STATE_TYPES),
        name: text(flags.name),
        createdAfter: time(flags["created-after"], "--created-after"),
        createdBefore: time(flags["created-before"], "--created-before"),
      }, 20);
      print(runs, () => formatTable(runs, [...RUN_COLUMNS]));
      return 0;
    },
  },
  {
    name: "flow-runs get",
    usage: "<id>",
    async run({ client, args, print }) {
      const run = await client.flowRuns.get(positional(args, "the run's id"));
      print(run, () => formatTable([run], [...RUN_COLUMNS]));
      return 0;
    },
  },
  {
    name: "flow-runs create",
    usage:
      "--flow NAME [--project-id P] | --flow-id F | --version-group-id G [--parameters JSON] [--name N] [--idempotency-key K]",
    flags: {
      "flow-id": { type: "string" },
      "flow": { type: "string" },
      "project-id": { type: "string" },
      "version-group-id": { type: "string" },
      "parameters": { type: "string" },
      "name": { type: "string" },
      "idempotency-key": { type: "string" },
    },
    async run({ client, flags, print }) {
      const fields = {
        parameters: jsonObject(flags.parameters, "--parameters"),
        runName: text(flags.name),
        idempotencyKey: text(flags["idempotency-key"]),
      };
      const flowId = text(flags["flow-id"]);
      const flowName = text(flags.flow);
      const given = [flowId, flowName, text(flags["version-group-id"])]
        .filter((flag) => flag !== undefined);
      if (given.length !== 1) {
        throw new UsageError(
          "flow-runs create needs exactly one of --flow, --flow-id or --version-group-id",
        );
      }
      // By name: the flow's newest version, as --version-group-id runs it.
      const versionGroupId = flowName === undefined
        ? text(flags["version-group-id"])
        : (await flowByName(client, flowName, text(flags["project-id"])))
          .versionGroupId;
      const run = await client.flowRuns.create(
        flowId !== undefined
          ? { flowId, ...fields }
          : { versionGroupId: versionGroupId!, ...fields },
      );
      print(
        run,
        () => `Created flow run ${shown(run.name)} (${shown(run.id)})`,
      );
      return 0;
    },
  },
  {
    name: "flow-runs set-state",
    usage: "<id> --state S --version N [--message M]",
    flags: {
      "state": { type: "string" },
      "version": { type: "string" },
      "message": { type: "string" },
    },
    async run({ client, args, flags, print }) {
      const id = positional(args, "the run's id");
      const type = choice<StateType>(flags.state, "--state", STATE_TYPES);
      if (type === undefined) throw new UsageError("set-state needs --state");
      const change = await client.flowRuns.setState(id, {
        version: wholeNumber(flags.version, "--version"),
        state: {
          type,
          message: text(flags.message),
        },
      });
      print(
        change,
        () =>
          `${shown(id)}: ${
            shown(change.state.type)
          }, version ${change.version}`,
      );
      return 0;
    },
  },
  {
    name: "task-runs list",
    aliases: ["task-runs"],
    usage: `<flow-run-id> ${PAGE_USAGE}`,
    flags: { "flow-run-id": { type: "string" }, ...PAGE_FLAGS },
    async run(ctx) {
      const { args, flags, print } = ctx;
      const flowRunId = args[0] ?? text(flags["flow-run-id"]);
      if (flowRunId === undefined) {
        throw new UsageError("task-runs list needs the flow run's id");
      }
      const tasks = await listPage<TaskRun>(ctx, "/task-runs", { flowRunId });
      print(
        tasks,
        () => formatTable(tasks, ["taskId", "mapIndex", "id", "state"]),
      );
      return 0;
    },
  },
  {
    name: "flow-runs cancel",
    usage: "<id> [--message M]",
    flags: { "message": { type: "string" } },
    async run({ client, args, flags, print }) {
      const id = positional(args, "the run's id");
      const change = await client.flowRuns.cancel(id, {
        message: text(flags.message),
      });
      print(change, () => `${shown(id)}: CANCELLED, version ${change.version}`);
      return 0;
    },
  },
  {
    name: "flow-runs watch",
    usage: "<id> [--interval-ms N] [--reconnect-ms N]",
    flags: {
      "interval-ms": { type: "string" },
      "reconnect-ms": { type: "string" },
    },
    async run({ client, args, flags, io, json }) {
      const id = positional(args, "the run's id");
      const interval = text(flags["interval-ms"]);
      const reconnect = text(flags["reconnect-ms"]);
      const options = {
        json,
        isTerminal: io.isTerminal,
        write: io.stderr,
        pollIntervalMs: interval
          ? wholeNumber(interval, "--interval-ms")
          : undefined,
        reconnectMs: reconnect
          ? wholeNumber(reconnect, "--reconnect-ms")
          : 60_000,
      };
      return await interruptible(io.signal, async (signal) => {
        const final = await watchFlowRun(client, id, { ...options, signal });
        if (json) io.stdout(JSON.stringify(final) + "\n");
        return final.type === "FAILED" || final.type === "CANCELLED" ? 3 : 0;
      });
    },
  },
];

/**
 * The flow of that name, in that project if given: clear errors when no
 * flow or several flows (in several projects) have it.
 */
async function flowByName(
  client: Client,
  name: string,
  projectId: string | undefined,
): Promise<Flow> {
  const versions = await client.flows.list({
    name,
    project: projectId,
    limit: 500,
  }).toArray();
  const newest = new Map<string, Flow>();
  for (const flow of versions) {
    const known = newest.get(flow.versionGroupId);
    if (!known || flow.version > known.version) {
      newest.set(flow.versionGroupId, flow);
    }
  }
  const where = projectId === undefined ? "" : ` in project ${projectId}`;
  if (newest.size === 0) {
    throw new InvalidArgumentError(
      `No flow is named ${
        JSON.stringify(name)
      }${where}: run runplane flows list to see the flows`,
    );
  }
  if (newest.size > 1) {
    throw new InvalidArgumentError(
      `Several flows are named ${JSON.stringify(name)}, in projects ${
        [...newest.values()].map((flow) => flow.projectId).join(", ")
      }: give --project-id P, or --flow-id F`,
    );
  }
  return [...newest.values()][0];
}

/** A flag holding a time, as the ISO string the API takes. */
function time(
  value: string | boolean | undefined,
  flag: string,
): string | undefined {
  const given = text(value);
  if (given === undefined) return undefined;
  const parsed = new Date(given);
  if (Number.isNaN(parsed.getTime())) {
    throw new UsageError(
      `${flag} needs a time, such as 2026-11-29 or 2026-11-29T12:00:00Z`,
    );
  }
  return parsed.toISOString();
}
