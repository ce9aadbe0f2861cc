/**
 * `runplane limits ...`: the tenant's concurrency limits on task tags.
 *
 * @module
 */

import { formatTable, shown } from "../_output.ts";
import {
  type Command,
  positional,
  UsageError,
  wholeNumber,
} from "../command.ts";

const COLUMNS = ["tag", "limit", "active", "id"];

/** `limits get|set|delete`. */
export const LIMIT_COMMANDS: readonly Command[] = [
  {
    name: "limits get",
    usage: "<tag>",
    async run({ client, args, print }) {
      const limit = await client.concurrencyLimits.get(
        positional(args, "the tag"),
      );
      print(limit, () => formatTable([limit], COLUMNS));
      return 0;
    },
  },
  {
    name: "limits set",
    usage: "<tag> <limit>   (how many task runs with the tag may run at once)",
    async run({ client, args, print }) {
      const tag = positional(args, "the tag");
      if (args[1] === undefined) {
        throw new UsageError(
          "limits set needs the limit, such as: limits set gpu 2",
        );
      }
      const limit = await client.concurrencyLimits.update(
        tag,
        wholeNumber(args[1], "The limit"),
      );
      print(
        limit,
        () => `Limited ${shown(limit.tag)} to ${limit.limit} at once`,
      );
      return 0;
    },
  },
  {
    name: "limits delete",
    usage: "<tag>",
    async run({ client, args, print }) {
      const tag = positional(args, "the tag");
      // The API deletes by id; the tag is what a user knows.
      const { id } = await client.concurrencyLimits.get(tag);
      await client.concurrencyLimits.delete(id);
      print({ deleted: tag }, () => `Deleted the limit on ${shown(tag)}`);
      return 0;
    },
  },
];
