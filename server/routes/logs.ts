/**
 * Run logs: written in batches, read in pages, oldest first.
 *
 * @module
 */

import { decodeCursor, encodeCursor } from "../cursor.ts";
import type { Reply } from "../idempotency.ts";
import type { Logger } from "../logger.ts";
import type { RouteContext, Router } from "../router.ts";
import type { LogInput } from "../store.ts";
import { Fields } from "../validate.ts";
import { LOG_LEVELS } from "../../api/mod.ts";
import {
  MAX_MESSAGE_BYTES,
  truncateMessage,
} from "../../api/truncate_message.ts";

const ID = { max: 64 };

/** Registers `/logs`. */
export function registerLogRoutes(router: Router): void {
  router.post("/logs", writeLogs);
  router.get("/logs", listLogs);
}

async function writeLogs(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant("member");
  const fields = ctx.fields();
  const now = new Date().toISOString();
  const entries = fields.array("entries", 1, 10_000).map(
    (item, index): LogInput => {
      const entry = new Fields(item, `entries[${index}]`);
      return {
        flowRunId: entry.string("flowRunId", ID),
        taskRunId: entry.optionalString("taskRunId", ID),
        level: entry.enumValue("level", LOG_LEVELS, true),
        // Cut rather than refused: one long line must not sink its batch.
        // The body limit bounds what arrives.
        message: truncateMessage(
          entry.string("message", { min: 0, max: 1_048_576 }),
          MAX_MESSAGE_BYTES,
        ),
        timestamp: entry.optionalIsoDate("timestamp") ?? now,
      };
    },
  );
  const dropped = fields.optionalWholeNumber("dropped", 0, 1_000_000_000);
  ctx.services.logLimiter.take(tenant.id, entries.length);
  const written = await ctx.services.store.writeLogs(tenant.id, entries);
  if (dropped) reportDropped(ctx.services.logger, tenant.slug, dropped);
  return { status: 201, body: { written } };
}

async function listLogs(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant();
  const page = await ctx.services.store.listLogs(tenant.id, {
    flowRunId: ctx.query.optionalString("flowRunId", 64),
    taskRunId: ctx.query.optionalString("taskRunId", 64),
    limit: ctx.query.wholeNumber("limit", 1, 500, 100),
    after: decodeCursor(ctx.query.optionalString("cursor", 200)),
  });
  return {
    status: 200,
    body: { items: page.items, nextCursor: encodeCursor(page.next) },
  };
}

/** A client that dropped lines (its buffer overflowed) is worth an operator's notice. */
function reportDropped(logger: Logger, tenant: string, dropped: number): void {
  logger.log(`Tenant ${tenant}: a client dropped ${dropped} log entries`);
}
