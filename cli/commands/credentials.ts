/**
 * `runplane tokens ...` and `runplane keys ...`: list and revoke the API
 * tokens and keypairs the caller may manage.
 *
 * @module
 */

import { formatTable, shown } from "../_output.ts";
import { type Command, type Flags, positional, text } from "../command.ts";

const FILTER_FLAGS = {
  "username": { type: "string" },
  "in-tenant": { type: "string" },
} as const;

function credentialFilter(flags: Flags) {
  return { username: text(flags.username), tenant: text(flags["in-tenant"]) };
}

/** `tokens list`, `tokens revoke`, `keys list` and `keys revoke`. */
export const CREDENTIAL_COMMANDS: readonly Command[] = [
  {
    name: "tokens list",
    aliases: ["tokens"],
    usage: "[--username U] [--in-tenant SLUG]",
    flags: FILTER_FLAGS,
    async run({ client, flags, print }) {
      const tokens = await client.apiTokens.list(credentialFilter(flags))
        .toArray();
      print(
        tokens,
        () =>
          formatTable(tokens, [
            "name",
            "id",
            "scope",
            "username",
            "tenant",
            "expiresAt",
          ]),
      );
      return 0;
    },
  },
  {
    name: "tokens revoke",
    usage: "<id>",
    async run({ client, args, print }) {
      const id = positional(args, "the token's id");
      await client.apiTokens.revoke(id);
      print({ revoked: id }, () => `Revoked API token ${shown(id)}`);
      return 0;
    },
  },
  {
    name: "keys list",
    aliases: ["keys"],
    usage: "[--username U] [--in-tenant SLUG]",
    flags: FILTER_FLAGS,
    async run({ client, flags, print }) {
      const keys = await client.accessKeys.list(credentialFilter(flags))
        .toArray();
      print(
        keys,
        () =>
          formatTable(keys, ["accessKey", "username", "tenant", "createdAt"]),
      );
      return 0;
    },
  },
  {
    name: "keys revoke",
    usage: "<access-key>",
    async run({ client, args, print }) {
      const accessKey = positional(args, "the access key");
      await client.accessKeys.revoke(accessKey);
      print(
        { revoked: accessKey },
        () => `Revoked keypair ${shown(accessKey)}`,
      );
      return 0;
    },
  },
];
