/**
 * `runplane users ...`: create a user, set a password, add a member to a
 * tenant, remove one. Passwords are typed at a hidden prompt or sent on
 * stdin, never given as flags (the process list and the shell's history
 * would keep them).
 *
 * @module
 */

import { type Role, ROLES } from "../../api/mod.ts";
import { shown } from "../_output.ts";
import {
  type Command,
  positional,
  requireTenant,
  text,
  UsageError,
} from "../command.ts";

/** `users create|set-password|add|remove`. */
export const USER_COMMANDS: readonly Command[] = [
  {
    name: "users create",
    usage: `<username> --role R   (in --tenant; prompts for the password,
                                   or reads it on stdin)`,
    flags: { "role": { type: "string" }, "password": { type: "string" } },
    async run({ client, args, flags, io, print }) {
      const username = positional(args, "the username");
      noPasswordFlag(flags.password, "users create");
      const role = requireRole(flags.role, "users create");
      const tenant = requireTenant(client, "users create");
      const password = await io.promptSecret!("Password: ");
      if (password === "") {
        throw new UsageError(
          "users create needs the password on a terminal or on stdin",
        );
      }
      const user = await client.users.create({
        username,
        password,
        tenant,
        role,
      });
      print(
        user,
        () =>
          `Created user ${shown(user.username)} in ${shown(user.tenant)} as ${
            shown(user.role)
          }`,
      );
      return 0;
    },
  },
  {
    name: "users set-password",
    usage: `<username>   (prompts, or reads lines on stdin: the
                                   current password first for your own)`,
    flags: { "password": { type: "string" } },
    async run({ client, args, flags, io, print }) {
      const username = positional(args, "the username");
      noPasswordFlag(flags.password, "users set-password");
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
      const role = requireRole(flags.role, "users add");
      const membership = await client.users.addMembership({
        username: positional(args, "the username"),
        tenant: requireTenant(client, "users add"),
        role,
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

/** A password flag shows in the process list and the shell's history. */
function noPasswordFlag(value: unknown, command: string): void {
  if (value !== undefined) {
    throw new UsageError(
      `${command} takes no --password: type it at the prompt or send it on stdin`,
    );
  }
}

function requireRole(
  value: string | boolean | undefined,
  command: string,
): Role {
  const role = text(value)?.toLowerCase();
  if (!ROLES.includes(role as Role)) {
    throw new UsageError(`${command} needs --role (${ROLES.join(", ")})`);
  }
  return role as Role;
}
