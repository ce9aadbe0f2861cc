/**
 * `runplane whoami`, `runplane logout` and `runplane config ...`: who the
 * saved or environment credential is, forgetting it, and the profile's
 * settings. No secret is ever printed: a credential shows as its mode and
 * its public part (username, access key), never its token, password or
 * secret key.
 *
 * @module
 */

import type { Credentials } from "../../auth/credentials.ts";
import { Client } from "../../client/client.ts";
import { type Config, loadConfig } from "../../config/config.ts";
import {
  CREDENTIALS_FILE_NAME,
  forgetCredentials,
  loadSavedCredentials,
} from "../../config/credentials_file.ts";
import {
  PROFILE_SETTINGS,
  PROFILES_FILE_NAME,
  updateProfile,
} from "../../config/profiles.ts";
import { AuthenticationError, InvalidArgumentError } from "../../errors.ts";
import { formatTable, shown } from "../_output.ts";
import { type Command, positional, UsageError } from "../command.ts";

/** `whoami`, `logout`, `config view|set|unset`. */
export const PROFILE_COMMANDS: readonly Command[] = [
  {
    name: "whoami",
    usage: "   (the user, tenant and role, the endpoint and the profile)",
    async run({ client, print }) {
      const me = await client.users.me();
      const config = client.config;
      const credential = describeCredential(client.credentials, config);
      const who = {
        ...me,
        endpoint: config.endpoints.map((url) => url.href).join(", "),
        profile: config.profile,
        credential,
      };
      print(who, () =>
        ([
          ["user", me.kind === "admin" ? "the system admin" : me.username],
          [
            "tenant",
            me.tenant ? `${me.tenant.slug} (${me.role})` : "none",
          ],
          ["endpoint", who.endpoint],
          ["profile", config.profile],
          ["credential", credential],
        ] as const).map(([key, value]) => `${key.padEnd(11)}${shown(value)}`)
          .join(
            "\n",
          ));
      return 0;
    },
  },
  {
    name: "logout",
    usage:
      "[--local]   (forgets the profile's saved credential and revokes an API\n" +
      "                  token or keypair at the server; --local only forgets)",
    flags: { "local": { type: "boolean" } },
    async run({ configOptions, flags, io, print }) {
      const config = loadConfig(configOptions);
      const where = { home: config.home, endpoint: config.endpoints };
      const saved = loadSavedCredentials({ ...where, profile: config.profile });
      const endpoint = config.endpoints.map((url) => url.href).join(", ");
      if (saved === undefined) {
        print(
          { forgotten: false, revoked: false },
          () =>
            `Not logged in to ${endpoint} in profile ${config.profile}: nothing to forget`,
        );
        return 0;
      }
      let revoked = false;
      let failure: string | undefined;
      if (flags.local !== true && saved.mode !== "basic") {
        try {
          revoked = await revoke(saved, config);
        } catch (error) {
          // Already revoked or expired: nothing is left to revoke.
          if (!(error instanceof AuthenticationError)) {
            failure = error instanceof Error ? error.message : String(error);
          }
        }
      }
      await forgetCredentials({ ...where, profile: config.profile });
      if (failure !== undefined) {
        io.stderr(
          `warning: the credential was forgotten here but not revoked at the server (${
            shown(failure)
          }): revoke it with runplane tokens revoke or keys revoke\n`,
        );
      }
      print(
        { forgotten: true, revoked },
        () =>
          `Logged out of ${endpoint} (profile ${config.profile})${
            revoked
              ? `; the ${
                saved.mode === "token" ? "API token" : "keypair"
              } is revoked`
              : saved.mode === "basic"
              ? "; a password stays valid: change it with runplane users set-password"
              : ""
          }`,
      );
      return failure === undefined ? 0 : 1;
    },
  },
  {
    name: "config view",
    aliases: ["config"],
    usage: "   (the settings in use, of the flags, environment, .env and\n" +
      "                  profile; never a secret)",
    run({ configOptions, print }) {
      const config = loadConfig(configOptions);
      const credentials = config.credentials ??
        (config.home === undefined ? undefined : loadSavedCredentials({
          home: config.home,
          endpoint: config.endpoints,
          profile: config.profile,
        }));
      const view = {
        profile: config.profile,
        endpoint: config.endpoints.map((url) => url.href).join(","),
        tenant: config.tenant ?? null,
        endpointType: config.endpointType,
        timeoutMs: config.timeoutMs,
        maxRetries: config.maxRetries,
        caCertFile: config.caCertFile ?? null,
        home: config.home ?? null,
        credential: describeCredential(credentials, config),
      };
      print(
        view,
        () =>
          formatTable(
            Object.entries(view).map(([setting, value]) => ({
              setting,
              value: value ?? "",
            })),
            ["setting", "value"],
          ),
      );
      return Promise.resolve(0);
    },
  },
  {
    name: "config set",
    usage: `<key> <value>   (in --profile; keys: ${
      PROFILE_SETTINGS.join(", ")
    })`,
    async run({ configOptions, args, print }) {
      const key = settingKey(args);
      const value = args[1];
      if (value === undefined || value === "") {
        throw new UsageError(
          `config set needs a value: runplane config set ${key} <value>`,
        );
      }
      // Checked as the variable would be, so a bad value fails now.
      loadConfig({
        env: { [`RUNPLANE_${key.toUpperCase().replaceAll("-", "_")}`]: value },
        envFile: false,
        profile: false,
      });
      const config = loadConfig(configOptions);
      const path = await updateProfile(homeOf(config), config.profile, {
        [key]: value,
      });
      print(
        { profile: config.profile, [key]: value },
        () =>
          `Set ${key} to ${
            shown(value)
          } in profile ${config.profile} (${path})`,
      );
      return 0;
    },
  },
  {
    name: "config unset",
    usage: "<key>",
    async run({ configOptions, args, print }) {
      const key = settingKey(args);
      const config = loadConfig(configOptions);
      await updateProfile(homeOf(config), config.profile, { [key]: undefined });
      print(
        { profile: config.profile, unset: key },
        () => `Unset ${key} in profile ${config.profile}`,
      );
      return 0;
    },
  },
];

/** Revokes the API token or keypair itself; resolves whether it did. */
async function revoke(saved: Credentials, config: Config): Promise<boolean> {
  await using client = new Client({ credentials: saved, config });
  if (saved.mode === "keypair") {
    await client.accessKeys.revoke(saved.accessKey!);
    return true;
  }
  const me = await client.users.me();
  // The bootstrap admin token is set on the server, not revocable.
  if (me.tokenId === undefined) return false;
  await client.apiTokens.revoke(me.tokenId);
  return true;
}

/** A credential without its secret: its mode, public part and source. */
function describeCredential(
  credentials: Credentials | undefined,
  config: Config,
): string {
  if (credentials === undefined) return "none: run runplane login";
  const what = credentials.mode === "basic"
    ? `password of ${credentials.username}`
    : credentials.mode === "keypair"
    ? `keypair ${credentials.accessKey}`
    : "API token";
  const from = config.credentials !== undefined
    ? "from the environment"
    : `saved in ${config.home}/${CREDENTIALS_FILE_NAME}`;
  return `${what} (${from})`;
}

function settingKey(args: readonly string[]): string {
  const key = positional(args, "the setting's name");
  if (!PROFILE_SETTINGS.includes(key)) {
    throw new UsageError(
      `Unknown setting ${key}: use one of ${PROFILE_SETTINGS.join(", ")}`,
    );
  }
  return key;
}

function homeOf(config: Config): string {
  if (config.home === undefined) {
    throw new InvalidArgumentError(
      `Cannot save ${PROFILES_FILE_NAME} without a home folder: set RUNPLANE_HOME`,
    );
  }
  return config.home;
}
