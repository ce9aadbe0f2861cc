/**
 * {@linkcode resolveCredentials}: what `new Credentials({ useEnv: true })`
 * stands for once the config is loaded: the credentials it found in the
 * environment or a `.env` file, else those saved for its endpoint. This sits
 * in `config/` rather than `auth/` because it reads the config and the
 * saved-credentials file, which sit on top of `auth/`.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";
import type { Credentials } from "../auth/credentials.ts";
import { type Config, deniedSources } from "./config.ts";
import {
  CREDENTIALS_FILE_NAME,
  DEFAULT_PROFILE,
  endpointKey,
  loadSavedCredentials,
  savedEndpoints,
} from "./credentials_file.ts";

/**
 * Resolves `{ useEnv: true }` credentials; any other mode is returned as is.
 * Extra headers given with `{ useEnv: true }` are kept.
 *
 * @param credentials The credentials the client was given.
 * @param config The loaded config.
 * @returns Credentials of a concrete mode.
 * @throws {ConfigError} When nothing was found, saying where it looked and
 * what to set.
 */
export function resolveCredentials(
  credentials: Credentials,
  config: Config,
): Credentials {
  if (credentials.mode !== "env") return credentials;
  const found = config.credentials ??
    loadSavedCredentials({
      home: config.home,
      endpoint: config.endpoints,
      profile: config.profile,
    });
  if (found === undefined) throw noCredentials(config);
  return Object.keys(credentials.extraHeaders).length === 0
    ? found
    : found.withExtraHeaders(credentials.extraHeaders);
}

/** Why `{ useEnv: true }` found nothing, and what to do about it. */
function noCredentials(config: Config): ConfigError {
  const wanted = config.endpoints.map(endpointKey);
  const saved = savedEndpoints(config.home, config.profile);
  if (saved !== undefined && saved.length > 0) {
    const of = config.profile === DEFAULT_PROFILE
      ? ""
      : ` of profile ${config.profile}`;
    return new ConfigError(
      `Saved credentials${of} in ${config.home}/${CREDENTIALS_FILE_NAME} are for ${
        saved.join(", ")
      }, not for ${
        wanted.join(", ")
      }: a saved credential is sent only to the endpoint it was saved for; log in to this endpoint, or fix RUNPLANE_ENDPOINT`,
    );
  }
  const denied = deniedSources(config);
  const why = denied.length === 0
    ? ""
    : `; access was denied to ${denied.join(" and ")}`;
  return new ConfigError(
    `No credentials found${why}: set RUNPLANE_TOKEN, or RUNPLANE_USERNAME and RUNPLANE_PASSWORD, or RUNPLANE_ACCESS_KEY and RUNPLANE_SECRET_KEY (in the environment or a .env file), or save credentials with saveCredentials()`,
  );
}
