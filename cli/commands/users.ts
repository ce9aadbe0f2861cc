/**
 * `runplane users ...`: set a password, add a member to a tenant, remove one.
 *
 * @module
 */

import type { Role } from "../../api/mod.ts";
import { shown } from "../_output.ts";
import {
  type Command,
  positional,
  requireTenant,
  text,
  UsageError,
} from "../command.ts";

/** `users set-password`, `users add` and `users remove`. */
export const USER_COMMANDS: readonly Command[] = [
  {
    name: "users set-password",
    usage: `<username>   (prompts, or reads lines on stdin: the
                                   current password first for your own)`,
    flags: { "password": { type: "string" } },
    async run({ client, args, flags, io, print }) {
      const username = positional(args, "the username");
      if (flags.password !== undefined) {
        // A flag shows in the process list and the shell's history.
        throw new UsageError(
          "users set-password takes no --password: type it at the prompt or send it on stdin",
        );
      }
      // Users changing their own password must give the current one.
      const me = await client.get<{ username?: string }>("/me");
      const currentPassword = me.username === username
        ? await io.promptSecret!("Current password: ")
        : undefined;
      const password = await io.promptSecret!("New password: ");
      if (password === "" || currentPassword === "") {
        throw new UsageError(
          "users set-password needs the password on a terminal or on stdin",
        );
      }
      await client.users.setPassword(username, { password, currentPassword });
      print(
        { username },
        () => `Set the password of ${shown(username)}; its logins have ended`,
      );
      return 0;
    },
  },
  {
    name: "users add",
    usage: "<username> --role R   (an existing user, to --tenant)",
    flags: { "role": { type: "string" } },
    async run({ client, args, flags, print }) {
      const role = text(flags.role);
      if (role === undefined) {
        throw new UsageError(
          "users add needs --role (viewer, member or admin)",
        );
      }
      const membership = await client.users.addMembership({
        username: positional(args, "the username"),
        tenant: requireTenant(client, "users add"),
        role: role as Role,
      });
      print(
        membership,
        () =>
          `Added ${shown(membership.username)} to ${
            shown(membership.tenant)
          } as ${shown(membership.role)}`,
      );
      return 0;
    },
  },
  {
    name: "users remove",
    usage: "<username>         (from --tenant)",
    async run({ client, args, print }) {
      const username = positional(args, "the username");
      const tenant = requireTenant(client, "users remove");
      await client.users.removeMembership({ username, tenant });
      print(
        { username, tenant },
        () => `Removed ${shown(username)} from ${shown(tenant)}`,
      );
      return 0;
    },
  },
];
