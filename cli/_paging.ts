/**
 * How every list command pages, as the API does: `--limit N` items from
 * `--cursor C` (the first page without it), or `--all` pages. When there is
 * more, the next cursor goes to stderr, so stdout holds only the items.
 *
 * @module
 */

import { Listing } from "../client/resources/listing.ts";
import type { QueryParams } from "../transport/transport.ts";
import { shown } from "./_output.ts";
import {
  type CommandContext,
  type FlagSpec,
  text,
  UsageError,
  wholeNumber,
} from "./command.ts";

/** The flags of every list command. */
export const PAGE_FLAGS: Readonly<Record<string, FlagSpec>> = {
  "limit": { type: "string" },
  "cursor": { type: "string" },
  "all": { type: "boolean" },
};

/** The paging part of a list command's usage line. */
export const PAGE_USAGE = "[--limit N] [--cursor C | --all]";

/** The API's largest page. */
const MAX_LIMIT = 500;

/**
 * One page of `path` (or every page with `--all`) with `query`'s filters,
 * the next cursor reported on stderr.
 *
 * @param defaultLimit The page size without `--limit`.
 */
export async function listPage<T extends object>(
  ctx: CommandContext,
  path: string,
  query: QueryParams,
  defaultLimit = 100,
): Promise<T[]> {
  const { flags } = ctx;
  const all = flags.all === true;
  const cursor = text(flags.cursor);
  if (all && cursor !== undefined) {
    throw new UsageError("Give --cursor or --all, not both");
  }
  const limit = flags.limit === undefined
    ? (all ? MAX_LIMIT : defaultLimit)
    : wholeNumber(flags.limit, "--limit");
  if (limit < 1 || limit > MAX_LIMIT) {
    throw new UsageError(`--limit needs a whole number from 1 to ${MAX_LIMIT}`);
  }
  const listing = new Listing<T>(ctx.client, path, {
    query: { ...query, limit, cursor },
  });
  if (all) return await listing.toArray();
  const page = await listing;
  if (page.nextCursor !== null) {
    ctx.io.stderr(
      `More: run again with --cursor ${shown(page.nextCursor)} (or --all)\n`,
    );
  }
  return page.items;
}
