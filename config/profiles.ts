/**
 * Profiles: named sets of settings (endpoint, tenant, ...) in
 * `profiles.json` under the home folder, which `runplane login` and
 * `runplane config set` write and {@linkcode loadConfig} reads after the
 * environment and the `.env` file. Which profile: the `profile` option, else
 * `RUNPLANE_PROFILE`, else `default`. The file holds no secret: credentials
 * stay in `credentials.json`, per profile and endpoint.
 *
 * ```json
 * { "profiles": { "default": { "endpoint": "http://127.0.0.1:4200", "tenant": "acme" } } }
 * ```
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import { readTextFileIfPermitted } from "./_read_file.ts";
import { writePrivateFile } from "./_write_file.ts";

/** The file's name inside the home folder. */
export const PROFILES_FILE_NAME = "profiles.json";

/**
 * The settings a profile may hold, by the name `config set` takes; each is
 * read like the variable `RUNPLANE_<NAME>` (upper case, `-` as `_`).
 */
export const PROFILE_SETTINGS: readonly string[] = [
  "endpoint",
  "tenant",
  "endpoint-type",
  "timeout-ms",
  "max-retries",
  "ca-cert-file",
];

/** One profile's settings, by setting name. */
export type ProfileSettings = Record<string, string>;

/** A profile's name: letters, digits, `_`, `.` and `-`. */
const PROFILE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Checks a profile's name.
 *
 * @throws {ConfigError} For a name that is not 1 to 64 letters, digits, `_`, `.` or `-`.
 */
export function checkProfileName(name: string, source: string): string {
  if (!PROFILE_NAME.test(name)) {
    throw new ConfigError(
      `Invalid ${source}: a profile name is 1 to 64 letters, digits and _ . -`,
    );
  }
  return name;
}

/**
 * Reads one profile's settings; `{}` when the file or the profile does not
 * exist or cannot be read.
 *
 * @throws {ConfigError} When the file is not valid JSON of profiles.
 */
export function readProfile(home: string, name: string): ProfileSettings {
  return readProfiles(home)[name] ?? {};
}

/**
 * Sets settings of one profile, keeping the others; a value `undefined`
 * removes that setting.
 *
 * @returns The path written.
 */
export async function updateProfile(
  home: string,
  name: string,
  settings: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  let profiles: Record<string, ProfileSettings> = {};
  try {
    profiles = readProfiles(home);
  } catch {
    // An invalid file is replaced, as credentials.json is.
  }
  const profile = { ...profiles[name] };
  for (const [key, value] of Object.entries(settings)) {
    if (value === undefined) delete profile[key];
    else profile[key] = value;
  }
  profiles[name] = profile;
  return await writePrivateFile(
    home,
    PROFILES_FILE_NAME,
    JSON.stringify({ profiles }, null, 2) + "\n",
  );
}

function readProfiles(home: string): Record<string, ProfileSettings> {
  const path = `${home}/${PROFILES_FILE_NAME}`;
  const text = readTextFileIfPermitted(path);
  if (text === undefined) return {};
  let profiles: unknown;
  try {
    profiles = (JSON.parse(text) as { profiles?: unknown })?.profiles;
  } catch {
    profiles = undefined;
  }
  const valid = typeof profiles === "object" && profiles !== null &&
    Object.values(profiles).every((profile) =>
      typeof profile === "object" && profile !== null &&
      Object.values(profile).every((value) => typeof value === "string")
    );
  if (!valid) {
    throw new ConfigError(
      `Cannot read profiles in ${path}: the file is not valid; fix it or delete it`,
    );
  }
  return profiles as Record<string, ProfileSettings>;
}
