/**
 * `runplane login`: checks a credential against the API and saves it, with
 * the endpoint and a default tenant, under a profile (`--profile`,
 * `RUNPLANE_PROFILE`, else `default`) for the other commands.
 *
 * @module
 */

import type { Tenant } from "../../api/mod.ts";
import { Client } from "../../client/client.ts";
import { Credentials } from "../../auth/credentials.ts";
import { InvalidArgumentError } from "../../errors.ts";
import { loadConfig } from "../../config/config.ts";
import { saveCredentials } from "../../config/credentials_file.ts";
import { updateProfile } from "../../config/profiles.ts";
import { shown } from "../_output.ts";
import {
  type CliIo,
  type Command,
  type Flags,
  text,
  UsageError,
} from "../command.ts";

/** `login`. */
export const LOGIN_COMMANDS: readonly Command[] = [{
  name: "login",
  usage:
    "[--token T | --username U [--password P] | --access-key A [--secret-key S]]\n" +
    "                  (no flag: the token at a hidden prompt, or on stdin;\n" +
    "                  saves it with --endpoint and --tenant in --profile)",
  flags: {
    "token": { type: "string" },
    "username": { type: "string" },
    "password": { type: "string" },
    "access-key": { type: "string" },
    "secret-key": { type: "string" },
  },
  async run({ flags, io, configOptions, json }) {
    const credentials = await readCredentials(flags, io);
    const config = loadConfig(configOptions);
    if (config.home === undefined) {
      throw new InvalidArgumentError(
        "Cannot save credentials without a home folder: set RUNPLANE_HOME",
      );
    }
    await using client = new Client({ credentials, config });
    const tenants = await client.tenants.list({ limit: 500 }).toArray();
    // A tenant of the flags or environment must be visible; the profile's
    // earlier one is kept only if it still is (the endpoint may be new).
    const wanted = loadConfig({ ...configOptions, profile: false }).tenant;
    const kept = tenants.find((tenant) => tenant.slug === config.tenant);
    const tenant = wanted === undefined && kept
      ? kept
      : pickTenant(tenants, wanted, io);
    const path = await saveCredentials(credentials, {
      home: config.home,
      endpoint: config.endpoints,
      profile: config.profile,
    });
    await updateProfile(config.home, config.profile, {
      endpoint: config.endpoints.map((url) => url.href).join(","),
      tenant: tenant?.slug,
    });
    const endpoint = config.endpoints.map((url) => url.href).join(", ");
    if (json) {
      io.stdout(
        JSON.stringify({
          saved: path,
          profile: config.profile,
          endpoint,
          tenant: tenant?.slug ?? null,
          tenants,
        }) + "\n",
      );
      return 0;
    }
    io.stdout(
      `Logged in to ${endpoint} (${credentials.mode}); profile ${config.profile}, tenant ${
        tenant ? shown(tenant.slug) : "none"
      }. Credentials saved to ${path}\n`,
    );
    if (tenant === undefined && tenants.length > 1) {
      io.stderr(
        `Several tenants are visible (${
          tenants.map((t) => shown(t.slug)).join(", ")
        }): pass --tenant to each command, or run runplane config set tenant <slug>\n`,
      );
    }
    return 0;
  },
}];

async function readCredentials(flags: Flags, io: CliIo): Promise<Credentials> {
  if (text(flags.token) !== undefined) {
    return new Credentials({ token: text(flags.token)! });
  }
  if (text(flags.username) !== undefined) {
    return new Credentials({
      username: text(flags.username)!,
      password: text(flags.password) ?? (await io.readStdin()).trim(),
    });
  }
  if (text(flags["access-key"]) !== undefined) {
    return new Credentials({
      accessKey: text(flags["access-key"])!,
      secretKey: text(flags["secret-key"]) ?? (await io.readStdin()).trim(),
    });
  }
  // Off the command line, which `deno task` echoes and CI logs keep.
  const token = (await io.promptSecret!("Token: ")).trim();
  if (token === "") {
    throw new UsageError(
      "login needs a token: type it at the prompt, pipe it on stdin, or pass --token, --username or --access-key",
    );
  }
  return new Credentials({ token });
}

/**
 * The default tenant to save: the one asked for (which must be visible),
 * else the only one, else the one picked at a prompt on a terminal, else none.
 */
function pickTenant(
  tenants: readonly Tenant[],
  wanted: string | undefined,
  io: CliIo,
): Tenant | undefined {
  if (wanted !== undefined) {
    const found = tenants.find((tenant) => tenant.slug === wanted);
    if (found === undefined) {
      throw new InvalidArgumentError(
        `Tenant ${wanted} is not one this credential can use: pass --tenant with one of ${
          tenants.map((tenant) => tenant.slug).join(", ") || "(none)"
        }`,
      );
    }
    return found;
  }
  if (tenants.length === 1) return tenants[0];
  if (tenants.length === 0 || io.ask === undefined) return undefined;
  const slugs = tenants.map((tenant) => tenant.slug);
  const answer = io.ask(
    `Default tenant (${slugs.map(shown).join(", ")}; empty for none): `,
  )?.trim();
  if (!answer) return undefined;
  const found = tenants.find((tenant) => tenant.slug === answer);
  if (found === undefined) {
    throw new UsageError(
      `Tenant ${answer} is not one of ${slugs.join(", ")}: log in again`,
    );
  }
  return found;
}
