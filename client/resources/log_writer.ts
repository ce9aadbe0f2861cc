/**
 * {@linkcode LogWriter}: batched, bounded, background shipping of log lines.
 *
 * @module
 */

import { onClose } from "../close_hooks.ts";
import { ApiError, InvalidArgumentError, RunplaneError } from "../../errors.ts";
import { sleep } from "../../transport/_async.ts";
import { retryAfterMs } from "../../transport/retry.ts";
import {
  MAX_MESSAGE_BYTES,
  truncateMessage,
  utf8Length,
} from "../../api/truncate_message.ts";
import {
  optionalString,
  requireLogLevel,
  requireObject,
  requireString,
  requireWholeNumber,
} from "./_validate.ts";
import type { ResourceClient } from "./types.ts";
import type { LogLevel } from "../../api/mod.ts";

/** Options for {@linkcode LogWriter}. */
export interface LogWriterOptions {
  /** The flow run the lines belong to. */
  flowRunId: string;
  /** The task run the lines belong to, if any. */
  taskRunId?: string;
  /**
   * The most lines per request, 1 to 10,000. A full batch is sent at once.
   *
   * @default {1000}
   */
  maxBatch?: number;
  /**
   * The most bytes of JSON per request, 1 KiB to 16 MiB: a batch is split
   * where it would go over, in order, so it stays within the server's body
   * limit (1 MiB on the reference server). A single line always goes.
   *
   * @default {524288}
   */
  maxBatchBytes?: number;
  /**
   * The longest message in UTF-8 bytes, 64 to 1 MiB. A longer one is cut and
   * ends with `... [truncated N bytes]`; {@linkcode LogWriter.truncated}
   * counts them. The reference server cuts at 32 KiB the same way.
   *
   * @default {32768}
   */
  maxMessageBytes?: number;
  /**
   * How long a line may wait before it is sent, in milliseconds.
   *
   * @default {1000}
   */
  flushIntervalMs?: number;
  /**
   * The most lines kept in memory; beyond it the oldest are dropped and
   * counted, and the count is sent with the next batch as `dropped`.
   *
   * @default {10000}
   */
  maxBuffered?: number;
}

interface Line {
  flowRunId: string;
  taskRunId?: string;
  level: LogLevel;
  message: string;
  timestamp: string;
}

interface Batch {
  entries: Line[];
  dropped: number;
  key: string;
  sending: boolean;
}

/**
 * Ships log lines of one run in batches, off the caller's path: `log()` only
 * buffers, and a timer or a full batch starts the sending. Batches stay
 * within a line count and a byte budget, and an overlong message is cut, so
 * one huge line never sinks the lines around it. Memory is bounded (the
 * oldest lines go first, and are counted). A server that answers with
 * `Retry-After` (a rate limit) gets that pause before the next attempt,
 * and the lines wait in order. Everything buffered is sent on
 * {@linkcode LogWriter.close} and when the client closes. A batch that fails
 * after the transport's retries is kept for the next flush, with its
 * idempotency key, so it is never written twice.
 *
 * @example
 * ```ts
 * import type { Client, FlowRun } from "@runplane/client";
 *
 * async function example(client: Client, run: FlowRun) {
 *   const writer = client.logs.writer({ flowRunId: run.id });
 *   writer.log("info", "Extracted 1,204 rows");
 *   writer.log("WARNING", "3 rows had no date");
 *   await writer.close();
 * }
 * ```
 */
export class LogWriter {
  #client: ResourceClient;
  #flowRunId: string;
  #taskRunId: string | undefined;
  #maxBatch: number;
  #maxBatchBytes: number;
  #maxMessageBytes: number;
  #intervalMs: number;
  #maxBuffered: number;
  #buffer: Line[] = [];
  #pending: Batch | undefined;
  #dropped = 0;
  #totalDropped = 0;
  #truncated = 0;
  #written = 0;
  /** When the server's last `Retry-After` ends (epoch ms). */
  #notBefore = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #chain: Promise<void> = Promise.resolve();
  #flushQueued = false;
  #closed = false;
  #lastError: unknown;
  #unregister: (() => void) | undefined;

  /**
   * Builds a writer; prefer `client.logs.writer(options)`. The writer keeps
   * the client it is given and registers to flush when it closes.
   *
   * @ignore
   * @param client The client to send through.
   * @param options The run, and the batching and memory bounds.
   * @throws {InvalidArgumentError} When an option is invalid.
   */
  constructor(client: ResourceClient, options: LogWriterOptions) {
    requireObject("options", options);
    this.#client = client;
    this.#flowRunId = requireString("flowRunId", options.flowRunId);
    this.#taskRunId = optionalString("taskRunId", options.taskRunId);
    this.#maxBatch = requireWholeNumber(
      "maxBatch",
      options.maxBatch ?? 1000,
      1,
      10_000,
    );
    this.#maxBatchBytes = requireWholeNumber(
      "maxBatchBytes",
      options.maxBatchBytes ?? 512 * 1024,
      1024,
      16 * 1024 * 1024,
    );
    this.#maxMessageBytes = requireWholeNumber(
      "maxMessageBytes",
      options.maxMessageBytes ?? MAX_MESSAGE_BYTES,
      64,
      1024 * 1024,
    );
    this.#intervalMs = requireWholeNumber(
      "flushIntervalMs",
      options.flushIntervalMs ?? 1000,
      0,
    );
    this.#maxBuffered = requireWholeNumber(
      "maxBuffered",
      options.maxBuffered ?? 10_000,
      1,
    );
    this.#unregister = onClose(client, () => this.close());
  }

  /** How many lines are waiting to be sent. */
  get buffered(): number {
    return this.#buffer.length + (this.#pending?.entries.length ?? 0);
  }

  /** How many lines were dropped because the buffer was full, in all. */
  get dropped(): number {
    return this.#totalDropped;
  }

  /** How many messages were cut to `maxMessageBytes`, in all. */
  get truncated(): number {
    return this.#truncated;
  }

  /** How many lines the server took. */
  get written(): number {
    return this.#written;
  }

  /** The error of the last background send that failed, if any. */
  get lastError(): unknown {
    return this.#lastError;
  }

  /** Whether {@linkcode LogWriter.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Buffers one line; never waits for the network.
   *
   * @param level `DEBUG`, `INFO`, `WARNING`, `ERROR` or `CRITICAL`, any case.
   * @param message The message.
   * @throws {InvalidArgumentError} For an unknown level or a message that is
   * not a string.
   * @throws {RunplaneError} When the writer is closed.
   *
   * @example
   * ```ts
   * import type { LogWriter } from "@runplane/client";
   *
   * async function example(path: string, writer: LogWriter) {
   *   writer.log("error", `Cannot load ${path}`);
   * }
   * ```
   */
  log(level: LogLevel | Lowercase<LogLevel> | string, message: string): void {
    const upper = requireLogLevel(level);
    if (typeof message !== "string") {
      throw new InvalidArgumentError("message must be a string");
    }
    if (this.#closed) {
      throw new RunplaneError(
        "The log writer is closed: create a new one with client.logs.writer()",
      );
    }
    const kept = truncateMessage(message, this.#maxMessageBytes);
    if (kept !== message) this.#truncated++;
    this.#buffer.push({
      flowRunId: this.#flowRunId,
      taskRunId: this.#taskRunId,
      level: upper,
      message: kept,
      timestamp: new Date().toISOString(),
    });
    this.#trim();
    if (this.#buffer.length >= this.#maxBatch) {
      this.#flushSoon();
    } else {
      this.#arm();
    }
  }

  /**
   * Sends everything buffered now, and waits for it.
   *
   * @throws {ApiError} When a batch still fails after the transport's
   * retries; its lines stay buffered for the next flush.
   *
   * @example
   * ```ts
   * import type { LogWriter } from "@runplane/client";
   *
   * async function example(writer: LogWriter) {
   *   await writer.flush();
   * }
   * ```
   */
  flush(): Promise<void> {
    this.#disarm();
    const run = this.#chain.then(() => this.#drain());
    this.#chain = run.catch(() => {});
    return run;
  }

  /**
   * Sends everything buffered and stops the timer. Later `log()` calls
   * throw; `flush()` may still be called to retry what failed.
   *
   * @throws {ApiError} When the last lines cannot be sent.
   *
   * @example
   * ```ts
   * import type { LogWriter } from "@runplane/client";
   *
   * async function example(writer: LogWriter) {
   *   await writer.close();
   * }
   * ```
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#unregister?.();
    this.#unregister = undefined;
    await this.flush();
  }

  /** Closes the writer at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #trim(): void {
    while (this.buffered > this.#maxBuffered) {
      const pending = this.#pending;
      if (pending !== undefined && !pending.sending && pending.entries.length) {
        pending.entries.shift();
        // The body changed: an old key would be refused as reused.
        pending.key = crypto.randomUUID();
        if (pending.entries.length === 0) {
          this.#dropped += pending.dropped;
          this.#pending = undefined;
        }
      } else {
        this.#buffer.shift();
      }
      this.#dropped++;
      this.#totalDropped++;
    }
  }

  #arm(): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flushSoon();
    }, Math.max(this.#intervalMs, this.#notBefore - Date.now()));
    Deno.unrefTimer(this.#timer);
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #flushSoon(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    this.flush().then(
      () => {
        this.#lastError = undefined;
      },
      (error) => {
        this.#lastError = error;
        if (this.buffered > 0) this.#arm();
      },
    );
  }

  async #drain(): Promise<void> {
    this.#flushQueued = false;
    while (this.#pending !== undefined || this.#buffer.length > 0) {
      if (this.#pending === undefined) {
        this.#pending = {
          entries: this.#buffer.splice(0, this.#batchLength()),
          dropped: this.#dropped,
          key: crypto.randomUUID(),
          sending: false,
        };
        this.#dropped = 0;
      }
      const batch = this.#pending;
      // The server asked for a pause: the next attempt waits for it.
      const wait = this.#notBefore - Date.now();
      if (wait > 0) await sleep(wait);
      batch.sending = true;
      try {
        await this.#client.request("POST", "/logs", {
          body: {
            entries: batch.entries,
            dropped: batch.dropped > 0 ? batch.dropped : undefined,
          },
          idempotencyKey: batch.key,
        });
      } catch (error) {
        const asked = error instanceof ApiError
          ? retryAfterMs(error.headers)
          : undefined;
        if (asked !== undefined) this.#notBefore = Date.now() + asked;
        throw error;
      } finally {
        batch.sending = false;
      }
      this.#written += batch.entries.length;
      this.#pending = undefined;
    }
  }

  /**
   * How many buffered lines go in the next batch: up to `maxBatch` lines and
   * `maxBatchBytes` bytes of JSON, and always at least one.
   */
  #batchLength(): number {
    const count = Math.min(this.#buffer.length, this.#maxBatch);
    // Room for `{"entries":[...],"dropped":N}` around the lines.
    let bytes = 64;
    for (let i = 0; i < count; i++) {
      bytes += utf8Length(JSON.stringify(this.#buffer[i])) + 1;
      if (bytes > this.#maxBatchBytes) return Math.max(i, 1);
    }
    return count;
  }
}
