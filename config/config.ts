/**
 * {@linkcode loadConfig}: the client's settings from explicit options, the
 * process environment, a `.env` file, the profile (`profiles.json` under the
 * home folder, which `runplane login` and `runplane config set` write) and
 * defaults, in that order.
 *
 * | field          | variable                   | default                  |
 * | -------------- | -------------------------- | ------------------------ |
 * | `endpoints`    | `RUNPLANE_ENDPOINT` (a,b)  | `http://127.0.0.1:4200`  |
 * | `endpointType` | `RUNPLANE_ENDPOINT_TYPE`   | `"api"`                  |
 * | `tenant`       | `RUNPLANE_TENANT`          | none                     |
 * | `apiVersion`   | `RUNPLANE_API_VERSION`     | `"1"`                    |
 * | `userAgent`    | `RUNPLANE_USER_AGENT`      | `runplane-client/<ver>`  |
 * | `hashType`     | `RUNPLANE_HASH_TYPE`       | `"sha256"`               |
 * | `timeoutMs`    | `RUNPLANE_TIMEOUT_MS`      | `30000` (per attempt)    |
 * | `maxRetries`   | `RUNPLANE_MAX_RETRIES`     | `2`                      |
 * | `caCertFile`   | `RUNPLANE_CA_CERT_FILE`    | none                     |
 * | `home`         | `RUNPLANE_HOME`            | `~/.runplane`            |
 * | `profile`      | `RUNPLANE_PROFILE`         | `"default"`              |
 * | `credentials`  | `RUNPLANE_TOKEN`, or `RUNPLANE_USERNAME` + `RUNPLANE_PASSWORD`, or `RUNPLANE_ACCESS_KEY` + `RUNPLANE_SECRET_KEY` | none |
 *
 * @example
 * ```ts
 * import { loadConfig } from "./config.ts";
 *
 * const config = loadConfig({
 *   env: { RUNPLANE_ENDPOINT: "http://127.0.0.1:4200,http://127.0.0.1:4201" },
 *   envFile: false,
 *   timeoutMs: 5_000,
 * });
 * console.assert(config.endpoints.length === 2 && config.timeoutMs === 5_000);
 * ```
 *
 * @module
 */

import { API_VERSION } from "../api/mod.ts";
import { ConfigError } from "../errors.ts";
import { checkWholeNumber } from "../whole_number.ts";
import { Credentials } from "../auth/credentials.ts";
import type { HashType } from "../auth/hmac.ts";
import {
  DEFAULT_PREFIXES,
  type EnvSource,
  lookupEnv,
  permitted,
  processEnv,
} from "./env.ts";
import { VERSION } from "../version.ts";
import { mayRead, readTextFileIfPermitted } from "./_read_file.ts";
import { DEFAULT_PROFILE } from "./credentials_file.ts";
import {
  checkProfileName,
  PROFILE_SETTINGS,
  PROFILES_FILE_NAME,
  readProfile,
} from "./profiles.ts";
import { parseEnv } from "./_parse_env.ts";

/** How the server expects to be authenticated with a username and password. */
export type EndpointType = "api" | "session";

/** The client's settings, frozen. */
export interface Config {
  /** The API endpoints, tried in turn when one cannot be reached. */
  readonly endpoints: readonly URL[];
  /** `"api"` sends Basic auth on each request; `"session"` logs in for a cookie. */
  readonly endpointType: EndpointType;
  /** The tenant slug sent as `X-Runplane-Tenant`, if any. */
  readonly tenant: string | undefined;
  /**
   * The contract version, sent as `X-Runplane-Api-Version` only when it is
   * not the one this client is built for (an absent header means that one).
   */
  readonly apiVersion: string;
  /** Sent as `User-Agent`. */
  readonly userAgent: string;
  /** The hash for HMAC request signing. */
  readonly hashType: HashType;
  /** The timeout of each attempt, in milliseconds. */
  readonly timeoutMs: number;
  /** How many times a failed call is retried. */
  readonly maxRetries: number;
  /** A PEM file of extra CA certificates to trust, if any. */
  readonly caCertFile: string | undefined;
  /** The folder of the saved-credentials file, if one is known. */
  readonly home: string | undefined;
  /** The profile whose settings and saved credentials are used. */
  readonly profile: string;
  /** Credentials found in the environment or `.env` file, if any. */
  readonly credentials: Credentials | undefined;
}

/** Options for {@linkcode loadConfig}: explicit values win over every other source. */
export interface LoadConfigOptions {
  /**
   * The API endpoints: URLs, or one comma-separated string.
   *
   * @default {[new URL("http://127.0.0.1:4200")]}
   */
  endpoints?: string | URL | readonly (string | URL)[];
  /**
   * `"api"` (Basic auth on each request) or `"session"` (cookie login).
   *
   * @default {"api"}
   */
  endpointType?: EndpointType;
  /** The tenant slug. */
  tenant?: string;
  /**
   * The contract version. Sent as `X-Runplane-Api-Version` only when it is
   * not the one this client is built for: every header costs each request
   * time inside `fetch`, and an absent header means that version.
   *
   * @default {"1"}
   */
  apiVersion?: string;
  /**
   * Sent as `User-Agent`.
   *
   * @default {"runplane-client/<version> Deno/<version>"}
   */
  userAgent?: string;
  /**
   * The hash for HMAC request signing.
   *
   * @default {"sha256"}
   */
  hashType?: HashType;
  /**
   * The timeout of each attempt, in milliseconds.
   *
   * @default {30000}
   */
  timeoutMs?: number;
  /**
   * How many times a failed call is retried.
   *
   * @default {2}
   */
  maxRetries?: number;
  /** A PEM file of extra CA certificates to trust. */
  caCertFile?: string;
  /**
   * The folder of the saved-credentials file.
   *
   * @default {"$HOME/.runplane"}
   */
  home?: string;
  /**
   * The profile whose settings (read after the environment and the `.env`
   * file) and saved credentials are used, or `false` to read no profile.
   *
   * @default {"default"}
   */
  profile?: string | false;
  /**
   * Variables to read instead of the process environment.
   *
   * @default {the process environment}
   */
  env?: EnvSource;
  /**
   * Prefixes tried in order for every variable.
   *
   * @default {["RUNPLANE_"]}
   */
  prefixes?: readonly string[];
  /**
   * A `.env` file read after the environment, or `false` for none. A
   * missing or unreadable file is skipped.
   *
   * @default {".env"}
   */
  envFile?: string | false;
}

const ENDPOINT_TYPES: readonly EndpointType[] = ["api", "session"];
const HASH_TYPES: readonly HashType[] = ["sha256", "sha384", "sha512"];
const DEFAULT_ENDPOINT = "http://127.0.0.1:4200";

/** A raw value and where it came from, so an error can name its source. */
interface Raw {
  value: unknown;
  source: string;
}

/**
 * Loads the client's settings. Precedence: explicit option, then the process
 * environment (each prefix in order), then the `.env` file, then the
 * profile, then defaults.
 *
 * @param options Explicit values, the variables to read, prefixes and `.env` file.
 * @returns The frozen settings.
 * @throws {ConfigError} When a value is invalid; the message names the option
 * or variable and what is wrong, and never repeats a secret.
 *
 * @example Explicit options win
 * ```ts
 * import { loadConfig } from "./config.ts";
 *
 * const config = loadConfig({ env: { RUNPLANE_MAX_RETRIES: "5" }, maxRetries: 0, envFile: false });
 * console.assert(config.maxRetries === 0);
 * ```
 */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const prefixes = options.prefixes ?? DEFAULT_PREFIXES;
  if (
    !Array.isArray(prefixes) ||
    !prefixes.every((prefix) => typeof prefix === "string")
  ) {
    throw new ConfigError(
      'Invalid option prefixes: expected an array of strings such as ["RUNPLANE_"]',
    );
  }
  const sources: Array<[EnvSource, string]> = [
    [options.env ?? processEnv(), ""],
  ];
  const denied: string[] = [];
  if (options.env === undefined && !permitted(`${prefixes[0]}TOKEN`)) {
    denied.push("the environment (run with --allow-env)");
  }
  if (options.envFile !== false) {
    const path = options.envFile ?? ".env";
    const fileEnv = readEnvFile(path);
    if (fileEnv) sources.push([fileEnv, ` in ${path}`]);
    else if (!mayRead(path)) denied.push(`${path} (run with --allow-read)`);
  }
  const raw = (
    key: string,
    field?: keyof LoadConfigOptions,
  ): Raw | undefined => {
    if (field && options[field] !== undefined) {
      return { value: options[field], source: `option ${field}` };
    }
    for (const [env, where] of sources) {
      const found = lookupEnv(key, prefixes, env);
      if (found) return { value: found.value, source: found.name + where };
    }
    return undefined;
  };

  const home = text(raw("home", "home")) ?? defaultHome(sources[0][0]);
  const profileRaw = options.profile === false
    ? undefined
    : raw("profile", "profile");
  const profile = profileRaw === undefined
    ? DEFAULT_PROFILE
    : checkProfileName(text(profileRaw)!, profileRaw.source);
  if (options.profile !== false && home !== undefined) {
    const settings = readProfile(home, profile);
    const asEnv: Record<string, string> = {};
    for (const key of PROFILE_SETTINGS) {
      const value = settings[key];
      if (value !== undefined) {
        asEnv[`${prefixes[0]}${key.toUpperCase().replaceAll("-", "_")}`] =
          value;
      }
    }
    sources.push([
      asEnv,
      ` of profile ${profile} in ${home}/${PROFILES_FILE_NAME}`,
    ]);
  }

  const config: Config = {
    endpoints: parseEndpoints(raw("endpoint", "endpoints")),
    endpointType: oneOf(
      raw("endpoint_type", "endpointType"),
      ENDPOINT_TYPES,
      "api",
    ),
    tenant: text(raw("tenant", "tenant")),
    apiVersion: text(raw("api_version", "apiVersion")) ?? API_VERSION,
    userAgent: text(raw("user_agent", "userAgent")) ??
      `runplane-client/${VERSION} Deno/${Deno.version.deno}`,
    hashType: oneOf(raw("hash_type", "hashType"), HASH_TYPES, "sha256"),
    timeoutMs: wholeNumber(raw("timeout_ms", "timeoutMs"), 1, 30_000),
    maxRetries: wholeNumber(raw("max_retries", "maxRetries"), 0, 2),
    caCertFile: text(raw("ca_cert_file", "caCertFile")),
    home,
    profile,
    credentials: credentialsFrom(sources, prefixes),
  };
  configs.add(config);
  if (denied.length > 0) deniedReads.set(config, denied);
  return Object.freeze(config);
}

const configs = new WeakSet<Config>();
const deniedReads = new WeakMap<Config, readonly string[]>();

/**
 * The sources {@linkcode loadConfig} was not permitted to read, in words
 * with the flag that permits them, so that "no credentials found" can say
 * that access was denied rather than that nothing was there.
 */
export function deniedSources(config: Config): readonly string[] {
  return deniedReads.get(config) ?? [];
}

/**
 * Tells a {@linkcode Config} made by {@linkcode loadConfig} from options that
 * would make one.
 *
 * @param value A config or options.
 * @returns `true` for a config from {@linkcode loadConfig}.
 *
 * @example
 * ```ts
 * import { isConfig, loadConfig } from "./config.ts";
 *
 * console.assert(isConfig(loadConfig({ envFile: false, env: {} })));
 * console.assert(!isConfig({ timeoutMs: 5 }));
 * ```
 */
export function isConfig(value: unknown): value is Config {
  return typeof value === "object" && value !== null &&
    configs.has(value as Config);
}

function readEnvFile(path: string): EnvSource | undefined {
  const text = readTextFileIfPermitted(path);
  if (text === undefined) return undefined;
  // Every text parses: a line that is not a variable is skipped.
  return parseEnv(text);
}

function defaultHome(env: EnvSource): string | undefined {
  const home = env.HOME ?? env.USERPROFILE;
  return home ? `${home}/.runplane` : undefined;
}

function text(raw: Raw | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw.value !== "string" || raw.value.trim() === "") {
    throw new ConfigError(`Invalid ${raw.source}: expected a non-empty string`);
  }
  return raw.value.trim();
}

function oneOf<T extends string>(
  raw: Raw | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (raw === undefined) return fallback;
  const value = typeof raw.value === "string"
    ? raw.value.trim().toLowerCase()
    : raw.value;
  if (!allowed.includes(value as T)) {
    throw new ConfigError(
      `Invalid ${raw.source}: expected ${
        allowed.map((a) => `"${a}"`).join(" or ")
      }, got ${
        // String() throws for an object whose toString is not a function.
        typeof raw.value === "string"
          ? JSON.stringify(raw.value).slice(0, 40)
          : `a value of type ${typeof raw.value}`}`,
    );
  }
  return value as T;
}

function wholeNumber(
  raw: Raw | undefined,
  min: number,
  fallback: number,
): number {
  if (raw === undefined) return fallback;
  // Plain decimal digits only: Number() would also take "0x10" and "1e3".
  const value = typeof raw.value === "string"
    ? /^\s*-?\d+(\.\d+)?\s*$/.test(raw.value) ? Number(raw.value) : NaN
    : raw.value;
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new ConfigError(`Cannot parse ${raw.source}: value is not a number`);
  }
  return checkWholeNumber(value, {
    min,
    max: 2_147_483_647,
    fail: (expected) =>
      new ConfigError(
        `Invalid ${raw.source}: expected ${expected}, got ${value}`,
      ),
  });
}

function parseEndpoints(raw: Raw | undefined): readonly URL[] {
  if (raw === undefined) return Object.freeze([new URL(DEFAULT_ENDPOINT)]);
  const entries = typeof raw.value === "string"
    ? raw.value.split(",").map((entry) => entry.trim()).filter(Boolean)
    : raw.value instanceof URL
    ? [raw.value]
    : Array.isArray(raw.value)
    ? raw.value
    : undefined;
  if (entries === undefined || entries.length === 0) {
    throw new ConfigError(
      `Invalid ${raw.source}: expected one or more absolute http or https URLs`,
    );
  }
  return Object.freeze(entries.map((entry, index) => {
    let url: URL | undefined;
    try {
      url = new URL(entry instanceof URL ? entry.href : String(entry));
    } catch {
      url = undefined;
    }
    const which = entries.length > 1 ? ` (entry ${index + 1})` : "";
    if (
      url === undefined ||
      (url.protocol !== "http:" && url.protocol !== "https:")
    ) {
      throw new ConfigError(
        `Invalid ${raw.source}${which}: expected an absolute http or https URL such as ${DEFAULT_ENDPOINT}`,
      );
    }
    if (url.username !== "" || url.password !== "") {
      throw new ConfigError(
        `Invalid ${raw.source}${which}: the URL must not hold a username or password; pass them as Credentials`,
      );
    }
    url.hash = "";
    url.search = "";
    if (url.pathname.endsWith("/")) url.pathname = url.pathname.slice(0, -1);
    return url;
  }));
}

const CREDENTIAL_VARIABLES: ReadonlyArray<[string, string | undefined]> = [
  ["token", undefined],
  ["username", "password"],
  ["access_key", "secret_key"],
];

/**
 * Credentials from the first source that sets any credential variable, so
 * the environment wins over the `.env` file as it does for every setting.
 * Within a source, a token wins over a pair.
 */
function credentialsFrom(
  sources: ReadonlyArray<[EnvSource, string]>,
  prefixes: readonly string[],
): Credentials | undefined {
  for (const [env, where] of sources) {
    for (const [first, second] of CREDENTIAL_VARIABLES) {
      const a = lookupEnv(first, prefixes, env);
      const b = second ? lookupEnv(second, prefixes, env) : undefined;
      if (!a && !b) continue;
      if (second && (!a || !b)) {
        const [found, key] = a ? [a, first] : [b!, second];
        const prefix = found.name.slice(0, -key.length);
        const missing = prefix + (a ? second : first).toUpperCase();
        throw new ConfigError(
          `Incomplete credentials: ${found.name}${where} is set but ${missing} is not; set both or neither`,
        );
      }
      try {
        if (first === "token") return new Credentials({ token: a!.value });
        if (first === "username") {
          return new Credentials({ username: a!.value, password: b!.value });
        }
        return new Credentials({ accessKey: a!.value, secretKey: b!.value });
      } catch (error) {
        // The message names the rule, never the value.
        throw new ConfigError(
          `Invalid credentials in ${
            [a, b].filter(Boolean).map((v) => v!.name).join(" and ")
          }${where}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
  }
  return undefined;
}
