/**
 * `runplane tokens ...` and `runplane keys ...`: create, list and revoke
 * API tokens and keypairs. A new token or secret key is printed once, on
 * stdout only, and never again: it is not kept anywhere.
 *
 * @module
 */

import type { Client } from "../../client/client.ts";
import { formatTable, shown } from "../_output.ts";
import { listPage, PAGE_FLAGS, PAGE_USAGE } from "../_paging.ts";
import {
  type Command,
  positional,
  requireTenant,
  text,
  UsageError,
} from "../command.ts";

/** What tells the `tokens` and `keys` commands apart. */
interface CredentialKind<T extends object> {
  /** The command's first word. */
  word: string;
  /** The API path of the listing. */
  path: string;
  /** The resource's revoke. */
  resource(client: Client): { revoke(id: string): Promise<void> };
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
    usage: `[--username U] [--in-tenant SLUG] ${PAGE_USAGE}`,
    flags: {
      "username": { type: "string" },
      "in-tenant": { type: "string" },
      ...PAGE_FLAGS,
    },
    async run(ctx) {
      const { flags, print } = ctx;
      const items = await listPage<T>(ctx, kind.path, {
        username: text(flags.username),
        tenant: text(flags["in-tenant"]),
      });
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

/** `tokens create|list|revoke`, `keys create|list|revoke`. */
export const CREDENTIAL_COMMANDS: readonly Command[] = [
  {
    name: "tokens create",
    usage: "<name> [--scope tenant|user] [--username U] [--expires-at T]\n" +
      "                  (tenant scope: for --tenant; the token is shown once)",
    flags: {
      "scope": { type: "string" },
      "username": { type: "string" },
      "expires-at": { type: "string" },
    },
    async run({ client, args, flags, print }) {
      const name = positional(args, "the token's name");
      const scope = text(flags.scope) ?? "tenant";
      if (scope !== "tenant" && scope !== "user") {
        throw new UsageError("--scope needs tenant or user");
      }
      const token = await client.apiTokens.create({
        name,
        scope,
        username: text(flags.username),
        tenant: scope === "tenant"
          ? requireTenant(client, "tokens create --scope tenant")
          : undefined,
        expiresAt: text(flags["expires-at"]),
      });
      print(
        token,
        () =>
          `Created API token ${shown(token.name)} (${
            shown(token.id)
          }); it is shown only now:\n${shown(token.token)}`,
      );
      return 0;
    },
  },
  ...credentialCommands({
    word: "tokens",
    path: "/api-tokens",
    resource: (client) => client.apiTokens,
    columns: ["name", "id", "scope", "username", "tenant", "expiresAt"],
    idUsage: "<id>",
    idName: "the token's id",
    noun: "API token",
  }),
  {
    name: "keys create",
    usage:
      "--username U   (a keypair of U in --tenant; the secret key is shown once)",
    flags: { "username": { type: "string" } },
    async run({ client, flags, print }) {
      const username = text(flags.username);
      if (username === undefined) {
        throw new UsageError("keys create needs --username");
      }
      const key = await client.accessKeys.create({
        username,
        tenant: requireTenant(client, "keys create"),
      });
      print(
        key,
        () =>
          `Created keypair; the secret key is shown only now:\naccess key: ${
            shown(key.accessKey)
          }\nsecret key: ${shown(key.secretKey)}`,
      );
      return 0;
    },
  },
  ...credentialCommands({
    word: "keys",
    path: "/access-keys",
    resource: (client) => client.accessKeys,
    columns: ["accessKey", "username", "tenant", "createdAt"],
    idUsage: "<access-key>",
    idName: "the access key",
    noun: "keypair",
  }),
];
