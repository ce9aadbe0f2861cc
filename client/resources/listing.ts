/**
 * Cursor pagination: an async iterable that fetches the next page when the
 * current one runs out, so callers never see cursors.
 *
 * @module
 */

import type { QueryParams } from "../../transport/transport.ts";
import type { ResourceClient } from "./types.ts";
import {
  displayable,
  type MimeBundle,
  renderListing,
} from "../../jupyter/mod.ts";

/** One page of a listing, as the server answers it. */
export interface Page<T> {
  /** The items of this page. */
  items: T[];
  /** The cursor of the next page, or `null` (or absent) after the last. */
  nextCursor?: string | null;
}

/**
 * Every item of a listing, one page at a time, as an async iterable; or all
 * of them at once with {@linkcode Listing.toArray}, an array that notebooks
 * display as a table.
 *
 * @typeParam T The items' type.
 *
 * @example
 * ```ts
 * import type { Client, FlowRun } from "@runplane/client";
 *
 * async function example(run: FlowRun, client: Client) {
 *   for await (const run of client.flowRuns.list({ limit: 50 })) console.log(run.id);
 *   const lines = await client.logs.list({ flowRunId: run.id }).toArray();
 * }
 * ```
 */
export class Listing<T extends object> implements AsyncIterable<T> {
  #client: ResourceClient;
  #path: string;
  #query: QueryParams;
  #render: (items: T[]) => MimeBundle;

  /**
   * Nothing is sent until the first item is asked for; `query.limit` is the
   * page size.
   *
   * @param client The client to send through.
   * @param path The listing's path.
   * @param query Filters and page size.
   * @param render How a notebook shows the items of {@linkcode Listing.toArray}.
   */
  constructor(
    client: ResourceClient,
    path: string,
    query: QueryParams = {},
    render: (items: T[]) => MimeBundle = renderListing,
  ) {
    this.#client = client;
    this.#path = path;
    this.#query = query;
    this.#render = render;
  }

  /** Yields every item, fetching a page whenever the last one runs out. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.#client.request<Page<T>>("GET", this.#path, {
        query: cursor === undefined ? this.#query : { ...this.#query, cursor },
      });
      yield* page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  /**
   * Every item, in one array.
   *
   * @returns The items.
   */
  async toArray(): Promise<T[]> {
    return displayable(await Array.fromAsync(this), this.#render);
  }
}

/** Every item of a listing, in one array that notebooks display as a table. */
export function collect<T extends object>(
  client: ResourceClient,
  path: string,
  query?: QueryParams,
): Promise<T[]> {
  return new Listing<T>(client, path, query).toArray();
}
