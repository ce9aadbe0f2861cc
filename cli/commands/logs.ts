/**
 * `runplane logs` and `runplane secrets ...`.
 *
 * @module
 */

import {
  LOG_LEVELS,
  type LogEntry,
  type LogLevel,
  type Secret,
  TERMINAL_STATE_TYPES,
} from "../../api/mod.ts";
import { Listing } from "../../client/resources/listing.ts";
import { sleep } from "../../transport/_async.ts";
import { formatTable, shown } from "../_output.ts";
import { interruptible, untilAborted } from "../_interrupt.ts";
import { listPage, PAGE_FLAGS, PAGE_USAGE } from "../_paging.ts";
import {
  choice,
  type Command,
  type CommandContext,
  positional,
  text,
  UsageError,
  wholeNumber,
} from "../command.ts";

/** `logs`, `secrets set|get|delete|list`. */
export const LOG_AND_SECRET_COMMANDS: readonly Command[] = [
  {
    name: "logs",
    positionals: true,
    usage:
      "<flow-run-id> [--task-run-id T] [--level L] [--tail N] [--follow [--interval-ms N]]",
    flags: {
      "flow-run-id": { type: "string" },
      "task-run-id": { type: "string" },
      "level": { type: "string" },
      "tail": { type: "string" },
      "follow": { type: "boolean" },
      "interval-ms": { type: "string" },
    },
    async run(ctx) {
      const { flags, io } = ctx;
      const flowRunId = ctx.args[0] ?? text(flags["flow-run-id"]);
      if (flowRunId === undefined) {
        throw new UsageError("logs needs the flow run's id");
      }
      const level = choice<LogLevel>(flags.level, "--level", LOG_LEVELS);
      const options: ReadLogsOptions = {
        flowRunId,
        taskRunId: text(flags["task-run-id"]),
        minimum: level === undefined ? 0 : LOG_LEVELS.indexOf(level),
        tail: flags.tail === undefined
          ? undefined
          : wholeNumber(flags.tail, "--tail"),
        follow: flags.follow === true,
        intervalMs: flags["interval-ms"] === undefined
          ? 1000
          : wholeNumber(flags["interval-ms"], "--interval-ms"),
      };
      return await interruptible(io.signal, async (signal) => {
        await readLogs(ctx, options, signal);
        return 0;
      });
    },
  },
  {
    name: "secrets set",
    usage: "<name> [value]   (the value on stdin when not given)",
    async run({ client, args, io, print }) {
      const name = positional(args, "the secret's name");
      const value = args[1] ?? (await io.readStdin()).replace(/\r?\n$/, "");
      const secret = await client.secrets.set(name, value);
      print(secret, () => `Set secret ${shown(name)}`);
      return 0;
    },
  },
  {
    name: "secrets get",
    usage: "<name>",
    async run({ client, args, print }) {
      const name = positional(args, "the secret's name");
      const value = await client.secrets.get(name);
      // Asked for by name, so shown; escaped like all server text.
      print({ name, value }, () => shown(value));
      return 0;
    },
  },
  {
    name: "secrets delete",
    usage: "<name>",
    async run({ client, args, print }) {
      const name = positional(args, "the secret's name");
      await client.secrets.delete(name);
      print({ deleted: name }, () => `Deleted secret ${shown(name)}`);
      return 0;
    },
  },
  {
    name: "secrets list",
    aliases: ["secrets"],
    usage: `${PAGE_USAGE}   (names and times, never values)`,
    flags: PAGE_FLAGS,
    async run(ctx) {
      const secrets = await listPage<Secret>(ctx, "/secrets", {});
      ctx.print(
        secrets,
        () => formatTable(secrets, ["name", "createdAt", "updatedAt"]),
      );
      return 0;
    },
  },
];

/** What `logs` reads. */
interface ReadLogsOptions {
  flowRunId: string;
  taskRunId: string | undefined;
  /** The index in `LOG_LEVELS` of the lowest level shown. */
  minimum: number;
  /** Only the last lines (of those the level keeps) of what is there now. */
  tail: number | undefined;
  follow: boolean;
  intervalMs: number;
}

/**
 * Prints a run's lines, oldest first; with `follow`, keeps reading new ones
 * until the run is final. The API gives no cursor after its last page, so a
 * follower reads again from the cursor of the last page it read and skips
 * the lines it has printed: at most one page again per poll.
 */
async function readLogs(
  ctx: CommandContext,
  options: ReadLogsOptions,
  signal: AbortSignal,
): Promise<void> {
  const { client, io, json } = ctx;
  const query = {
    flowRunId: options.flowRunId,
    taskRunId: options.taskRunId,
    limit: 500,
  };
  const shownLine = (entry: LogEntry) =>
    json
      ? JSON.stringify(entry)
      : `${shown(entry.timestamp)} ${shown(entry.level).padEnd(8)} ${
        shown(entry.message)
      }`;
  // With --tail, lines wait here until the first read is done, so that only
  // the last ones print: at most --tail lines, whatever the run's size.
  // --json without --follow prints one array, as it did before --follow.
  const oneArray = json && !options.follow;
  let held: LogEntry[] | undefined = options.tail !== undefined || oneArray
    ? []
    : undefined;
  const keep = (entry: LogEntry) => {
    const level = LOG_LEVELS.indexOf(entry.level.toUpperCase() as LogLevel);
    if (level !== -1 && level < options.minimum) return;
    if (held === undefined) return io.stdout(shownLine(entry) + "\n");
    held.push(entry);
    if (options.tail !== undefined && held.length > options.tail) held.shift();
  };
  let cursor: string | undefined;
  let printed = 0;
  let final = false;
  for (;;) {
    const page = await untilAborted(
      Promise.resolve(
        new Listing<LogEntry>(client, "/logs", {
          query: { ...query, cursor },
        }),
      ),
      signal,
    );
    for (const entry of page.items.slice(printed)) keep(entry);
    if (page.nextCursor !== null) {
      cursor = page.nextCursor;
      printed = 0;
      continue;
    }
    printed = page.items.length;
    if (oneArray) {
      io.stdout(JSON.stringify(held, null, 2) + "\n");
      return;
    }
    if (held !== undefined) {
      if (held.length > 0) io.stdout(held.map(shownLine).join("\n") + "\n");
      held = undefined;
    }
    if (!options.follow || final) return;
    await sleep(options.intervalMs, signal);
    // Final before the next read: the lines it wrote before ending are in it.
    const run = await untilAborted(
      client.flowRuns.get(options.flowRunId),
      signal,
    );
    final = TERMINAL_STATE_TYPES.includes(run.state.type);
  }
}
