/**
 * `runplane logs` and `runplane secrets ...`.
 *
 * @module
 */

import { shown } from "../_output.ts";
import { type Command, positional, text, UsageError } from "../command.ts";

/** `logs`, `secrets set` and `secrets list`. */
export const LOG_AND_SECRET_COMMANDS: readonly Command[] = [
  {
    name: "logs",
    usage: "--flow-run-id F [--task-run-id T]",
    flags: {
      "flow-run-id": { type: "string" },
      "task-run-id": { type: "string" },
    },
    async run({ client, flags, print }) {
      const flowRunId = text(flags["flow-run-id"]);
      if (flowRunId === undefined) {
        throw new UsageError("logs needs --flow-run-id");
      }
      const entries = await Array.fromAsync(client.logs.list({
        flowRunId,
        taskRunId: text(flags["task-run-id"]),
      }));
      print(
        entries,
        () =>
          entries.map((entry) =>
            `${shown(entry.timestamp)} ${shown(entry.level).padEnd(8)} ${
              shown(entry.message)
            }`
          ).join("\n"),
      );
      return 0;
    },
  },
  {
    name: "secrets set",
    usage: "<name> [value]",
    async run({ client, args, io, print }) {
      const name = positional(args, "the secret's name");
      const value = args[1] ?? (await io.readStdin()).replace(/\r?\n$/, "");
      const secret = await client.secrets.set(name, value);
      print(secret, () => `Set secret ${shown(name)}`);
      return 0;
    },
  },
  {
    name: "secrets get",
    usage: "<name>",
    async run({ client, args, print }) {
      const name = positional(args, "the secret's name");
      const value = await client.secrets.get(name);
      // Asked for by name, so shown; escaped like all server text.
      print({ name, value }, () => shown(value));
      return 0;
    },
  },
  {
    name: "secrets delete",
    usage: "<name>",
    async run({ client, args, print }) {
      const name = positional(args, "the secret's name");
      await client.secrets.delete(name);
      print({ deleted: name }, () => `Deleted secret ${shown(name)}`);
      return 0;
    },
  },
  {
    name: "secrets list",
    aliases: ["secrets"],
    usage: "",
    async run({ client, print }) {
      const secrets = await client.secrets.list().toArray();
      const names = secrets.map((secret) => secret.name);
      print(names, () => names.map(shown).join("\n"));
      return 0;
    },
  },
];
