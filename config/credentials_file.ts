/**
 * The saved-credentials file: `credentials.json` under `$RUNPLANE_HOME`
 * (default `~/.runplane/`), written with mode 0600 in a folder of mode 0700.
 * `{ useEnv: true }` credentials fall back to it when the environment holds
 * none.
 *
 * @example
 * ```ts
 * import { loadSavedCredentials, saveCredentials } from "./credentials_file.ts";
 * import { Credentials } from "../auth/credentials.ts";
 *
 * const home = await Deno.makeTempDir();
 * await saveCredentials(new Credentials({ token: "rp_example" }), { home });
 * console.assert(loadSavedCredentials({ home })?.mode === "token");
 * await Deno.remove(home, { recursive: true });
 * ```
 *
 * @module
 */

import { ConfigError, InvalidArgumentError } from "../client/errors.ts";
import { Credentials, credentialSecrets } from "../auth/credentials.ts";
import { readTextFileIfPermitted } from "./_read_file.ts";

/** The file's name inside the home folder. */
export const CREDENTIALS_FILE_NAME = "credentials.json";

/** Where the saved-credentials file lives. */
export interface CredentialsFileOptions {
  /** The folder that holds `credentials.json`, usually `config.home`. */
  home?: string;
}

/**
 * Saves credentials for later `{ useEnv: true }` clients and the CLI. The file
 * is replaced atomically and readable by its owner only.
 *
 * @param credentials Token, basic or keypair credentials.
 * @param options The home folder.
 * @returns The path of the file written.
 * @throws {InvalidArgumentError} For `"env"` credentials or without a home folder.
 *
 * @example
 * ```ts
 * import { saveCredentials } from "./credentials_file.ts";
 * import { Credentials } from "../auth/credentials.ts";
 *
 * const home = await Deno.makeTempDir();
 * const path = await saveCredentials(new Credentials({ username: "alice", password: "pw" }), { home });
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
  const secret = credentialSecrets(credentials);
  const record = credentials.mode === "token"
    ? { token: secret.token }
    : credentials.mode === "basic"
    ? { username: credentials.username, password: secret.password }
    : { accessKey: credentials.accessKey, secretKey: secret.secretKey };
  await Deno.mkdir(home, { recursive: true, mode: 0o700 });
  // mkdir's mode applies only to a folder it creates.
  await Deno.chmod(home, 0o700);
  const path = `${home}/${CREDENTIALS_FILE_NAME}`;
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeTextFile(temporary, JSON.stringify(record) + "\n", {
      mode: 0o600,
      createNew: true,
    });
    await Deno.chmod(temporary, 0o600);
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
  return path;
}

/**
 * Reads the saved-credentials file. Where the file does not exist or the file
 * system cannot be read (no read permission, Deno Deploy), it returns
 * `undefined` quietly.
 *
 * @param options The home folder.
 * @returns The saved credentials, or `undefined`.
 * @throws {ConfigError} When the file exists but does not hold valid credentials.
 *
 * @example
 * ```ts
 * import { loadSavedCredentials } from "./credentials_file.ts";
 *
 * console.assert(loadSavedCredentials({ home: "/nonexistent" }) === undefined);
 * ```
 */
export function loadSavedCredentials(
  options: CredentialsFileOptions = {},
): Credentials | undefined {
  if (!options.home) return undefined;
  const path = `${options.home}/${CREDENTIALS_FILE_NAME}`;
  const text = readTextFileIfPermitted(path);
  if (text === undefined) return undefined;
  try {
    const record = JSON.parse(text);
    if (typeof record !== "object" || record === null || "useEnv" in record) {
      throw new TypeError("not a credentials object");
    }
    return new Credentials(record);
  } catch {
    throw new ConfigError(
      `Cannot read saved credentials in ${path}: the file is not valid; log in again or delete it`,
    );
  }
}
