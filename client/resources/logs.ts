/**
 * {@linkcode Logs}: write and list the log lines of runs, and make a
 * {@linkcode LogWriter} that batches them in the background.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { Listing } from "./listing.ts";
import {
  optionalPageSize,
  optionalString,
  requireLogLevel,
  requireObject,
  requireString,
  requireTime,
  requireWholeNumber,
} from "./_validate.ts";
import { LogWriter, type LogWriterOptions } from "./log_writer.ts";
import type { ListOptions, LogEntryInput } from "./types.ts";
import { Resource } from "./resource.ts";
import type { CallOptions } from "../request_options.ts";
import type { LogEntry } from "../../api/mod.ts";

/** What {@linkcode Logs.list} filters on. */
export interface ListLogsOptions extends ListOptions {
  /** The flow run's id. */
  flowRunId: string;
  /** Only the lines of this task run. */
  taskRunId?: string;
}

/** Options for {@linkcode Logs.write}. */
export interface WriteLogsOptions {
  /** How many lines the caller dropped before these. */
  dropped?: number;
}

/**
 * Log lines of runs. Reach it as `client.logs`.
 *
 * @example
 * ```ts
 * import type { Client, FlowRun } from "@runplane/client";
 *
 * async function example(client: Client, run: FlowRun) {
 *   await client.logs.write([{ flowRunId: run.id, level: "INFO", message: "Started" }]);
 *   for await (const line of client.logs.list({ flowRunId: run.id })) console.log(line.message);
 * }
 * ```
 */
export class Logs extends Resource {
  /**
   * Writes 1 to 10,000 lines in one request.
   *
   * @param entries The lines.
   * @param options How many lines were dropped before these.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns How many lines the server wrote.
   * @throws {InvalidArgumentError} When a line is invalid.
   *
   * @example
   * ```ts
   * import type { Client, FlowRun } from "@runplane/client";
   *
   * async function example(client: Client, run: FlowRun) {
   *   const written = await client.logs.write([{ flowRunId: run.id, level: "warning", message: "Slow disk" }]);
   * }
   * ```
   */
  async write(
    entries: LogEntryInput[],
    options: WriteLogsOptions = {},
    call?: CallOptions,
  ): Promise<number> {
    if (
      !Array.isArray(entries) || entries.length === 0 ||
      entries.length > 10_000
    ) {
      throw new InvalidArgumentError(
        "entries must be an array of 1 to 10,000 log lines",
      );
    }
    requireObject("options", options);
    const body = entries.map((entry, index) => {
      requireObject(`entries[${index}]`, entry);
      if (typeof entry.message !== "string") {
        throw new InvalidArgumentError(
          `entries[${index}].message must be a string`,
        );
      }
      return {
        flowRunId: requireString(
          `entries[${index}].flowRunId`,
          entry.flowRunId,
        ),
        taskRunId: optionalString(
          `entries[${index}].taskRunId`,
          entry.taskRunId,
        ),
        level: requireLogLevel(entry.level),
        message: entry.message,
        timestamp: entry.timestamp === undefined
          ? undefined
          : requireTime(`entries[${index}].timestamp`, entry.timestamp),
      };
    });
    const dropped = options.dropped === undefined
      ? undefined
      : requireWholeNumber("dropped", options.dropped, 0);
    const answer = await this.client.request<{ written: number }>(
      "POST",
      "/logs",
      { ...call, body: { entries: body, dropped } },
    );
    return answer.written;
  }

  /**
   * Lists the lines of a flow run (or one of its task runs), oldest first,
   * fetching page after page as the loop asks for more.
   *
   * @param options The flow run, an optional task run, and the page size.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The lines, as an async iterable; `toArray()` collects them.
   * @throws {InvalidArgumentError} At once, when an option is invalid.
   *
   * @example
   * ```ts
   * import type { Client, FlowRun } from "@runplane/client";
   *
   * async function example(client: Client, run: FlowRun) {
   *   const lines = await Array.fromAsync(client.logs.list({ flowRunId: run.id }));
   * }
   * ```
   */
  list(options: ListLogsOptions, call?: CallOptions): Listing<LogEntry> {
    requireObject("options", options);
    const query = {
      flowRunId: requireString("flowRunId", options.flowRunId),
      taskRunId: optionalString("taskRunId", options.taskRunId),
      limit: optionalPageSize(options.limit),
    };
    return new Listing<LogEntry>(this.client, "/logs", {
      query,
      call,
      render: (renderers, entries) => renderers.renderLogs(entries),
    });
  }

  /**
   * Makes a writer that batches lines and ships them in the background. It
   * keeps this client, and flushes when the client closes.
   *
   * @param options The run, and the batching and memory bounds.
   * @returns The writer.
   * @throws {InvalidArgumentError} When an option is invalid.
   *
   * @example
   * ```ts
   * import type { Client, FlowRun } from "@runplane/client";
   *
   * async function example(client: Client, run: FlowRun) {
   *   await using writer = client.logs.writer({ flowRunId: run.id, maxBatch: 100 });
   *   writer.log("INFO", "Hello");
   * }
   * ```
   */
  writer(options: LogWriterOptions): LogWriter {
    return new LogWriter(this.client, options);
  }
}
