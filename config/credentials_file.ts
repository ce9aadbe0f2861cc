/**
 * The saved-credentials file: `credentials.json` under `$RUNPLANE_HOME`
 * (default `~/.runplane/`), written with mode 0600, holding one credential
 * per endpoint.
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
}

/** The file's content: one credential record per endpoint. */
type SavedFile = { endpoints: Record<string, Record<string, unknown>> };

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
  if (!await exists(home)) {
    await Deno.mkdir(home, { recursive: true, mode: 0o700 });
    // The umask may have narrowed or widened what mkdir asked for.
    await Deno.chmod(home, 0o700);
  }
  const path = `${home}/${CREDENTIALS_FILE_NAME}`;
  let saved: SavedFile = { endpoints: {} };
  try {
    saved = readSaved(path) ?? saved;
  } catch {
    // An unreadable or old file is replaced.
  }
  for (const key of keys) saved.endpoints[key] = record;
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeTextFile(
      temporary,
      JSON.stringify(saved, null, 2) + "\n",
      { mode: 0o600, createNew: true },
    );
    await Deno.chmod(temporary, 0o600);
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
  return path;
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
  if (saved === undefined) return undefined;
  const records = keys.map((key) => saved.endpoints[key]);
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
export function savedEndpoints(home: string | undefined): string[] | undefined {
  if (!home) return undefined;
  try {
    const saved = readSaved(`${home}/${CREDENTIALS_FILE_NAME}`);
    return saved && Object.keys(saved.endpoints);
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

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
