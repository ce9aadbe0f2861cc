/**
 * The types that the resource modules share: the client interface they send
 * through, states, and the objects the API answers with.
 *
 * @module
 */

import type { RequestOptions } from "../request_options.ts";
import type { LogLevel } from "../../api/mod.ts";

/**
 * The part of a {@linkcode Client} that a resource needs: one method that
 * sends a request and parses the answer.
 *
 * @example
 * ```ts
 * import { Projects, type ResourceClient } from "@runplane/client";
 *
 * const fake: ResourceClient = {
 *   request: <T>() => Promise.resolve({ items: [], nextCursor: null } as T),
 * };
 * const projects = await new Projects(fake).list();
 * ```
 */
export interface ResourceClient {
  /**
   * Sends a request and parses the JSON answer.
   *
   * @typeParam T The type of the parsed body.
   * @param method The HTTP method.
   * @param path The path below the API root.
   * @param options Query, body, headers, signal and idempotency key.
   * @returns The parsed body.
   */
  request<T = unknown>(
    method: string,
    path: string,
    options?: RequestOptions,
  ): Promise<T>;
}

/** The page size of a listing: what one `await` of it gives. */
export interface ListOptions {
  /**
   * The page size, 1 to 500: what one `await` gives, not a total (bound a
   * total with `toArray({ maxItems })`).
   *
   * @default {100}
   */
  limit?: number;
}

/** Which credentials a listing shows, of those the caller may manage. */
export interface ListCredentialsOptions extends ListOptions {
  /** Only those bound to this tenant (by slug). */
  tenant?: string;
  /** Only this user's. */
  username?: string;
}

/** A log line to write. */
export interface LogEntryInput {
  /** The flow run's id. */
  flowRunId: string;
  /** The task run's id, if the line is a task's. */
  taskRunId?: string;
  /** The level, any case. */
  level: LogLevel | Lowercase<LogLevel> | string;
  /** The message. */
  message: string;
  /**
   * When it happened.
   *
   * @default {the time the server received it}
   */
  timestamp?: string | Date;
}

/** The kinds of object that {@linkcode Client.uiUrl} links to. */
export type UiKind = "flow-run" | "task-run" | "flow" | "project";
