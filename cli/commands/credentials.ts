/**
 * `runplane tokens ...` and `runplane keys ...`: list and revoke the API
 * tokens and keypairs the caller may manage.
 *
 * @module
 */

import type { Client } from "../../client/client.ts";
import type { ListCredentialsOptions } from "../../client/resources/types.ts";
import type { Listing } from "../../client/resources/listing.ts";
import { formatTable, shown } from "../_output.ts";
import { type Command, positional, text } from "../command.ts";

/** What tells the `tokens` and `keys` commands apart. */
interface CredentialKind<T extends object> {
  /** The command's first word. */
  word: string;
  /** The resource's list and revoke. */
  resource(client: Client): {
    list(options: ListCredentialsOptions): Listing<T>;
    revoke(id: string): Promise<void>;
  };
  /** The columns of the text listing. */
  columns: (keyof T & string)[];
  /** The positional of `revoke` in `--help`. */
  idUsage: string;
  /** The positional of `revoke` in its usage error. */
  idName: string;
  /** What `revoke` says it revoked. */
  noun: string;
}

function credentialCommands<T extends object>(
  kind: CredentialKind<T>,
): Command[] {
  return [{
    name: `${kind.word} list`,
    aliases: [kind.word],
    usage: "[--username U] [--in-tenant SLUG]",
    flags: { "username": { type: "string" }, "in-tenant": { type: "string" } },
    async run({ client, flags, print }) {
      const items = await kind.resource(client).list({
        username: text(flags.username),
        tenant: text(flags["in-tenant"]),
      }).toArray();
      print(items, () => formatTable(items, kind.columns));
      return 0;
    },
  }, {
    name: `${kind.word} revoke`,
    usage: kind.idUsage,
    async run({ client, args, print }) {
      const id = positional(args, kind.idName);
      await kind.resource(client).revoke(id);
      print({ revoked: id }, () => `Revoked ${kind.noun} ${shown(id)}`);
      return 0;
    },
  }];
}

/** `tokens list`, `tokens revoke`, `keys list` and `keys revoke`. */
export const CREDENTIAL_COMMANDS: readonly Command[] = [
  ...credentialCommands({
    word: "tokens",
    resource: (client) => client.apiTokens,
    columns: ["name", "id", "scope", "username", "tenant", "expiresAt"],
    idUsage: "<id>",
    idName: "the token's id",
    noun: "API token",
  }),
  ...credentialCommands({
    word: "keys",
    resource: (client) => client.accessKeys,
    columns: ["accessKey", "username", "tenant", "createdAt"],
    idUsage: "<access-key>",
    idName: "the access key",
    noun: "keypair",
  }),
];
