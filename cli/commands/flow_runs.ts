/**
 * `runplane flow-runs ...`: list, get, create, set the state of, cancel and watch
 * flow runs.
 *
 * @module
 */

import type { FlowRun, StateType } from "../../api/mod.ts";
import { formatTable, shown } from "../_output.ts";
import { watchFlowRun } from "../_watch.ts";
import {
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
    usage: "[--flow-id F] [--state S] [--limit N]",
    flags: {
      "flow-id": { type: "string" },
      "state": { type: "string" },
      "limit": { type: "string" },
    },
    async run({ client, flags, print }) {
      const runs: FlowRun[] = [];
      const limit = text(flags.limit)
        ? wholeNumber(flags.limit, "--limit")
        : 20;
      for await (
        const run of client.flowRuns.list({
          flowId: text(flags["flow-id"]),
          // Any case, as everywhere a state is typed: `--state failed`.
          state: text(flags.state)?.toUpperCase() as StateType | undefined,
          limit: Math.min(limit, 500),
        })
      ) {
        runs.push(run);
        if (runs.length >= limit) break;
      }
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
      "--flow-id F | --version-group-id G [--parameters JSON] [--name N] [--idempotency-key K]",
    flags: {
      "flow-id": { type: "string" },
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
      const versionGroupId = text(flags["version-group-id"]);
      if ((flowId === undefined) === (versionGroupId === undefined)) {
        throw new UsageError(
          "flow-runs create needs exactly one of --flow-id or --version-group-id",
        );
      }
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
      const type = text(flags.state);
      if (type === undefined) throw new UsageError("set-state needs --state");
      const change = await client.flowRuns.setState(id, {
        version: wholeNumber(flags.version, "--version"),
        state: {
          type: type.toUpperCase() as StateType,
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
    usage: "--flow-run-id F",
    flags: { "flow-run-id": { type: "string" } },
    async run({ client, flags, print }) {
      const flowRunId = text(flags["flow-run-id"]);
      if (flowRunId === undefined) {
        throw new UsageError("task-runs list needs --flow-run-id");
      }
      const tasks = await client.taskRuns.list({ flowRunId }).toArray();
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
    usage: "<id> [--interval-ms N]",
    flags: { "interval-ms": { type: "string" } },
    async run({ client, args, flags, io, json }) {
      const id = positional(args, "the run's id");
      const interval = text(flags["interval-ms"]);
      const final = await watchFlowRun(client, id, {
        json,
        isTerminal: io.isTerminal,
        write: io.stderr,
        pollIntervalMs: interval
          ? wholeNumber(interval, "--interval-ms")
          : undefined,
      });
      if (json) io.stdout(JSON.stringify(final) + "\n");
      return final.type === "FAILED" || final.type === "CANCELLED" ? 3 : 0;
    },
  },
];
