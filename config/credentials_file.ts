/**
 * The saved-credentials file: `credentials.json` under `$RUNPLANE_HOME`
 * (default `~/.runplane/`), written with mode 0600, holding one credential
 * per endpoint and per profile: the `default` profile's under `endpoints`
 * (where files written before profiles keep them), another profile's under
 * `profiles.<name>.endpoints`.
 * `{ useEnv: true }` credentials fall back to it when the environment holds
 * none.
 *
 * @example
 * ```ts
 * import { loadSavedCredentials, saveCredentials } from "./credentials_file.ts";
 * import { Credentials } from "../auth/credentials.ts";
 *
 * const home = await Deno.makeTempDir();
 * const endpoint = "http://127.0.0.1:4200";
 * await saveCredentials(new Credentials({ token: "rp_example" }), { home, endpoint });
 * console.assert(loadSavedCredentials({ home, endpoint })?.mode === "token");
 * console.assert(loadSavedCredentials({ home, endpoint: "https://elsewhere.example" }) === undefined);
 * await Deno.remove(home, { recursive: true });
 * ```
 *
 * @module
 */

import { ConfigError, InvalidArgumentError } from "../errors.ts";
import { Credentials, credentialSecrets } from "../auth/credentials.ts";
import { readTextFileIfPermitted } from "./_read_file.ts";
import { writePrivateFile } from "./_write_file.ts";

/** The file's name inside the home folder. */
export const CREDENTIALS_FILE_NAME = "credentials.json";

/** Where the saved-credentials file lives, and which endpoint is meant. */
export interface CredentialsFileOptions {
  /** The folder that holds `credentials.json`, usually `config.home`. */
  home?: string;
  /**
   * The endpoint the credentials are saved for or wanted for, usually
   * `config.endpoints`. With several, the same credentials are saved for
   * each, and loaded only when saved for every one.
   */
  endpoint?: string | URL | readonly (string | URL)[];
  /**
   * The profile the credentials belong to, usually `config.profile`: two
   * profiles may hold different credentials for one endpoint.
   *
   * @default {"default"}
   */
  profile?: string;
}

/** The default profile's name. */
export const DEFAULT_PROFILE = "default";

/** Credential records by endpoint. */
type Records = Record<string, Record<string, unknown>>;

/** The file's content: one credential record per endpoint and profile. */
type SavedFile = {
  endpoints: Records;
  profiles?: Record<string, { endpoints: Records }>;
};

/** The records of one profile in the file, created when `create` is set. */
function profileRecords(
  saved: SavedFile,
  profile: string | undefined,
  create = false,
): Records | undefined {
  if (profile === undefined || profile === DEFAULT_PROFILE) {
    return saved.endpoints;
  }
  const found = saved.profiles?.[profile]?.endpoints;
  if (found !== undefined || !create) {
    return typeof found === "object" && found !== null ? found : undefined;
  }
  saved.profiles ??= {};
  return (saved.profiles[profile] = { endpoints: {} }).endpoints;
}

/**
 * Saves credentials for later `{ useEnv: true }` clients and the CLI, for one
 * endpoint: a file holds the credentials of several endpoints, like gh's
 * hosts file, and a client sends a saved credential only to the endpoint it
 * was saved for. The file is replaced atomically and readable by its owner
 * only; a missing home folder is created with mode 0700, and an existing one
 * keeps its mode.
 *
 * @param credentials Token, basic or keypair credentials.
 * @param options The home folder and the endpoint.
 * @returns The path of the file written.
 * @throws {InvalidArgumentError} For `"env"` credentials, or without a home
 * folder or an endpoint.
 *
 * @example
 * ```ts
 * import { saveCredentials } from "./credentials_file.ts";
 * import { Credentials } from "../auth/credentials.ts";
 *
 * const home = await Deno.makeTempDir();
 * const path = await saveCredentials(new Credentials({ username: "alice", password: "pw" }), { home, endpoint: "http://127.0.0.1:4200" });
 * console.assert(((await Deno.stat(path)).mode! & 0o777) === 0o600);
 * await Deno.remove(home, { recursive: true });
 * ```
 */
export async function saveCredentials(
  credentials: Credentials,
  options: CredentialsFileOptions = {},
): Promise<string> {
  if (credentials.mode === "env") {
    throw new InvalidArgumentError(
      "Cannot save { useEnv: true } credentials: save the token, username and password, or keypair they resolve to",
    );
  }
  const home = options.home;
  if (!home) {
    throw new InvalidArgumentError(
      "Cannot save credentials without a home folder: set RUNPLANE_HOME or pass home",
    );
  }
  const keys = endpointKeys(options.endpoint, "save");
  const secret = credentialSecrets(credentials);
  const record = credentials.mode === "token"
    ? { token: secret.token }
    : credentials.mode === "basic"
    ? { username: credentials.username, password: secret.password }
    : { accessKey: credentials.accessKey, secretKey: secret.secretKey };
  const path = `${home}/${CREDENTIALS_FILE_NAME}`;
  let saved: SavedFile = { endpoints: {} };
  try {
    saved = readSaved(path) ?? saved;
  } catch {
    // An unreadable or old file is replaced.
  }
  const records = profileRecords(saved, options.profile, true)!;
  for (const key of keys) records[key] = record;
  return await writePrivateFile(
    home,
    CREDENTIALS_FILE_NAME,
    JSON.stringify(saved, null, 2) + "\n",
  );
}

/**
 * Forgets the credentials saved for an endpoint in one profile, leaving the
 * other endpoints and profiles as they were.
 *
 * @param options The home folder, the endpoint and the profile.
 * @returns Whether anything was saved there.
 * @throws {InvalidArgumentError} Without an endpoint.
 *
 * @example
 * ```ts
 * import { forgetCredentials, loadSavedCredentials, saveCredentials } from "./credentials_file.ts";
 * import { Credentials } from "../auth/credentials.ts";
 *
 * const home = await Deno.makeTempDir();
 * const endpoint = "http://127.0.0.1:4200";
 * await saveCredentials(new Credentials({ token: "rp_example" }), { home, endpoint });
 * console.assert(await forgetCredentials({ home, endpoint }));
 * console.assert(loadSavedCredentials({ home, endpoint }) === undefined);
 * await Deno.remove(home, { recursive: true });
 * ```
 */
export async function forgetCredentials(
  options: CredentialsFileOptions = {},
): Promise<boolean> {
  const keys = endpointKeys(options.endpoint, "forget");
  if (!options.home) return false;
  const saved = readSaved(`${options.home}/${CREDENTIALS_FILE_NAME}`);
  const records = saved && profileRecords(saved, options.profile);
  if (records === undefined || !keys.some((key) => key in records)) {
    return false;
  }
  for (const key of keys) delete records[key];
  await writePrivateFile(
    options.home,
    CREDENTIALS_FILE_NAME,
    JSON.stringify(saved, null, 2) + "\n",
  );
  return true;
}

/**
 * Reads the credentials saved for an endpoint. Where the file does not
 * exist, holds nothing for that endpoint, or the file system cannot be read
 * (no read permission, Deno Deploy), it returns `undefined` quietly.
 *
 * @param options The home folder and the endpoint.
 * @returns The saved credentials, or `undefined`.
 * @throws {InvalidArgumentError} Without an endpoint.
 * @throws {ConfigError} When the file exists but does not hold valid credentials.
 *
 * @example
 * ```ts
 * import { loadSavedCredentials } from "./credentials_file.ts";
 *
 * console.assert(loadSavedCredentials({ home: "/nonexistent", endpoint: "http://127.0.0.1:4200" }) === undefined);
 * ```
 */
export function loadSavedCredentials(
  options: CredentialsFileOptions = {},
): Credentials | undefined {
  const keys = endpointKeys(options.endpoint, "load");
  if (!options.home) return undefined;
  const path = `${options.home}/${CREDENTIALS_FILE_NAME}`;
  const saved = readSaved(path);
  const profile = saved && profileRecords(saved, options.profile);
  if (profile === undefined) return undefined;
  const records = keys.map((key) => profile[key]);
  if (records.some((record) => record === undefined)) return undefined;
  try {
    const found = records.map((record) => {
      if (typeof record !== "object" || record === null || "useEnv" in record) {
        throw new TypeError("not a credentials object");
      }
      return new Credentials(
        record as unknown as ConstructorParameters<typeof Credentials>[0],
      );
    });
    // Several endpoints take one client's credentials only if they agree.
    return found.every((one) => one.equals(found[0])) ? found[0] : undefined;
  } catch {
    throw invalidFile(path);
  }
}

/**
 * The endpoints the file holds credentials for, for an error that says why
 * none were used; `undefined` where it cannot be read.
 */
export function savedEndpoints(
  home: string | undefined,
  profile?: string,
): string[] | undefined {
  if (!home) return undefined;
  try {
    const saved = readSaved(`${home}/${CREDENTIALS_FILE_NAME}`);
    const records = saved && profileRecords(saved, profile);
    return records && Object.keys(records);
  } catch {
    return undefined;
  }
}

/** An endpoint as the file names it: origin and path, no trailing slash. */
export function endpointKey(endpoint: string | URL): string {
  const url = new URL(endpoint);
  return url.origin + url.pathname.replace(/\/+$/, "");
}

function endpointKeys(
  endpoint: CredentialsFileOptions["endpoint"],
  verb: string,
): string[] {
  const list = typeof endpoint === "string" || endpoint instanceof URL
    ? [endpoint]
    : endpoint ?? [];
  try {
    if (list.length === 0) throw new TypeError("no endpoint");
    return list.map(endpointKey);
  } catch {
    throw new InvalidArgumentError(
      `Cannot ${verb} credentials without an endpoint: pass endpoint, such as config.endpoints`,
    );
  }
}

function readSaved(path: string): SavedFile | undefined {
  const text = readTextFileIfPermitted(path);
  if (text === undefined) return undefined;
  let saved: unknown;
  try {
    saved = JSON.parse(text);
  } catch {
    throw invalidFile(path);
  }
  const endpoints = (saved as { endpoints?: unknown })?.endpoints;
  if (typeof endpoints !== "object" || endpoints === null) {
    throw new ConfigError(
      `Cannot use saved credentials in ${path}: they do not say which endpoint they are for; log in again`,
    );
  }
  return saved as SavedFile;
}

function invalidFile(path: string): ConfigError {
  return new ConfigError(
    `Cannot read saved credentials in ${path}: the file is not valid; log in again or delete it`,
  );
}
