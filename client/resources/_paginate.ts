/**
 * Cursor pagination: an async iterable that fetches the next page when the
 * current one runs out, so callers never see cursors.
 *
 * @module
 */

import type { QueryParams } from "../transport.ts";
import type { ResourceClient } from "./types.ts";

/** One page of a listing, as the server answers it. */
export interface Page<T> {
  /** The items of this page. */
  items: T[];
  /** The cursor of the next page, or `null` (or absent) after the last. */
  nextCursor?: string | null;
}

/**
 * Yields every item of a listing, one page at a time. Nothing is sent until
 * the first item is asked for; `query.limit` is the page size.
 */
export async function* paginate<T>(
  client: ResourceClient,
  path: string,
  query: QueryParams = {},
): AsyncGenerator<T, void, undefined> {
  let cursor: string | undefined;
  do {
    const page = await client.request<Page<T>>("GET", path, {
      query: cursor === undefined ? query : { ...query, cursor },
    });
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/** Every item of a listing, in one array. */
export async function collect<T>(
  client: ResourceClient,
  path: string,
  query?: QueryParams,
): Promise<T[]> {
  return await Array.fromAsync(paginate<T>(client, path, query));
}
