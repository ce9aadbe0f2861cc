/**
 * What every paged listing route shares: the `limit` and `cursor` query
 * parameters in, `{ items, nextCursor }` out.
 *
 * @module
 */

import { decodeCursor, encodeCursor } from "../cursor.ts";
import type { Reply } from "../idempotency.ts";
import type { RouteContext } from "../router.ts";
import type { CursorPosition, Page } from "../store.ts";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "../../api/mod.ts";

/** The page size and the position after which to read. */
export function pageQuery(
  ctx: RouteContext,
): { limit: number; after?: CursorPosition } {
  return {
    limit: ctx.query.wholeNumber(
      "limit",
      1,
      MAX_PAGE_SIZE,
      DEFAULT_PAGE_SIZE,
    ),
    after: decodeCursor(ctx.query.optionalString("cursor", 200)),
  };
}

/** A page as the `200` answer of a listing. */
export function pageReply<T>(page: Page<T>): Reply {
  return {
    status: 200,
    body: { items: page.items, nextCursor: encodeCursor(page.next) },
  };
}
