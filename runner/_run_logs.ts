/**
 * The log shipping of one flow run: a {@linkcode LogWriter} for the flow
 * run's own lines and one per task run, made on the first line.
 *
 * @module
 */

import type { Client } from "../client/client.ts";
import type { LogWriter } from "../client/resources/log_writer.ts";
import type { LogLevel } from "../api/mod.ts";

/**
 * The writers of one flow run. Lines are stored in the order they were
 * logged as long as the flow's code and its tasks run one after another:
 * the flow's lines are flushed before a task starts, and a task's before its
 * final state. Lines of tasks that run at once interleave as they are sent.
 * A line that cannot be shipped is dropped: logging never fails a run.
 */
export class RunLogs {
  #client: Client;
  #flowRunId: string;
  #flowWriter: LogWriter | undefined;
  #taskWriters = new Map<string, LogWriter>();
  #closed = false;

  constructor(client: Client, flowRunId: string) {
    this.#client = client;
    this.#flowRunId = flowRunId;
  }

  /** Buffers a line of the flow run, or of one of its task runs. */
  log(taskRunId: string | undefined, level: LogLevel, message: string): void {
    if (this.#closed) return;
    try {
      this.#writer(taskRunId).log(level, message);
    } catch {
      // The client was closed under the run, closing its writers.
    }
  }

  /** Sends the flow's buffered lines, so that a task's come after them. */
  async beforeTask(): Promise<void> {
    if (this.#flowWriter === undefined || this.#flowWriter.buffered === 0) {
      return;
    }
    await this.#flowWriter.flush().catch(() => {});
  }

  /** Sends a task run's lines and drops its writer. */
  async closeTask(taskRunId: string): Promise<void> {
    const writer = this.#taskWriters.get(taskRunId);
    if (writer === undefined) return;
    this.#taskWriters.delete(taskRunId);
    await writer.close().catch(() => {});
  }

  /** Sends every line left; later lines are dropped. */
  async close(): Promise<void> {
    this.#closed = true;
    const writers = [...this.#taskWriters.values()];
    this.#taskWriters.clear();
    if (this.#flowWriter !== undefined) writers.push(this.#flowWriter);
    await Promise.all(writers.map((writer) => writer.close().catch(() => {})));
  }

  #writer(taskRunId: string | undefined): LogWriter {
    if (taskRunId === undefined) {
      return this.#flowWriter ??= this.#client.logs.writer({
        flowRunId: this.#flowRunId,
      });
    }
    let writer = this.#taskWriters.get(taskRunId);
    if (writer === undefined) {
      writer = this.#client.logs.writer({
        flowRunId: this.#flowRunId,
        taskRunId,
      });
      this.#taskWriters.set(taskRunId, writer);
    }
    return writer;
  }
}
