/**
 * {@linkcode getEnv}: one setting from the environment, under a list of
 * prefixes tried in order, with a default and a cleaning function.
 *
 * @example
 * ```ts
 * import { getEnv } from "./env.ts";
 *
 * const timeout = getEnv("timeout_ms", {
 *   env: { LEGACY_TIMEOUT_MS: "5000" },
 *   prefixes: ["RUNPLANE_", "LEGACY_"],
 *   clean: Number,
 * });
 * console.assert(timeout === 5000);
 * ```
 *
 * @module
 */

import { ConfigError } from "../errors.ts";

/** Where variables are read from: a plain record such as a parsed `.env` file. */
export type EnvSource = Readonly<Record<string, string | undefined>>;

/** Options for {@linkcode getEnv}. */
export interface GetEnvOptions<T> {
  /**
   * Prefixes tried in order; a legacy prefix can follow the current one.
   *
   * @default {["RUNPLANE_"]}
   */
  prefixes?: readonly string[];
  /** The value when no variable is set. Without one, a missing variable throws. */
  default?: T | string;
  /** Turns the raw value (or the default) into the setting; may throw {@linkcode ConfigError}. */
  clean?: (value: string | T, name: string) => T;
  /**
   * Variables to read instead of the process environment (tests, Deno Deploy).
   *
   * @default {the process environment}
   */
  env?: EnvSource;
}

/** The default prefixes. */
export const DEFAULT_PREFIXES: readonly string[] = Object.freeze([
  "RUNPLANE_",
]);

/**
 * Reads one setting. The key is upper-cased and looked up under each prefix
 * in order, then the default is used. Without env permission the process
 * environment counts as empty, and no permission prompt is shown.
 *
 * @typeParam T The type `clean` returns.
 * @param key The setting's name without prefix, such as `"timeout_ms"`.
 * @param options Prefixes, default, cleaning function and variables to read.
 * @returns The cleaned value.
 * @throws {ConfigError} When no variable is set and there is no default, or
 * when `clean` rejects the value.
 *
 * @example A default, cleaned like a found value
 * ```ts
 * import { getEnv } from "./env.ts";
 *
 * const retries = getEnv("max_retries", { env: {}, default: "2", clean: Number });
 * console.assert(retries === 2);
 * ```
 */
export function getEnv<T = string>(
  key: string,
  options: GetEnvOptions<T> = {},
): T {
  const prefixes = options.prefixes ?? DEFAULT_PREFIXES;
  const found = lookupEnv(key, prefixes, options.env);
  const clean = options.clean ?? ((value: string | T) => value as T);
  if (found) return cleanValue(clean, found.value, found.name);
  if ("default" in options) {
    return cleanValue(clean, options.default as T | string, "the default");
  }
  throw new ConfigError(
    `Missing setting ${key.toUpperCase()}: set one of ${
      variableNames(key, prefixes).join(", ")
    }`,
  );
}

/** A variable that was found, with the name it was found under. */
export interface FoundVariable {
  /** The full variable name, such as `RUNPLANE_TIMEOUT_MS`. */
  name: string;
  /** Its raw value. */
  value: string;
}

/** Looks a key up under each prefix in order; an empty value counts as unset. */
export function lookupEnv(
  key: string,
  prefixes: readonly string[],
  env: EnvSource = processEnv(),
): FoundVariable | undefined {
  for (const name of variableNames(key, prefixes)) {
    const value = env[name];
    if (value !== undefined && value !== "") return { name, value };
  }
  return undefined;
}

/**
 * The process environment. With env permission for only some variables,
 * each one is checked as it is read; without any, it reads as empty. No
 * permission prompt is ever shown.
 */
export function processEnv(): EnvSource {
  if (permitted()) return Deno.env.toObject();
  return new Proxy({}, {
    get: (_target, name) =>
      typeof name === "string" && permitted(name)
        ? Deno.env.get(name)
        : undefined,
  });
}

/** Whether env permission for `variable` (or all of them) is granted, without a prompt. */
export function permitted(variable?: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "env", variable }).state ===
      "granted";
  } catch {
    return false;
  }
}

function variableNames(key: string, prefixes: readonly string[]): string[] {
  const upper = key.toUpperCase();
  return prefixes.map((prefix) => prefix + upper);
}

function cleanValue<T>(
  clean: (value: string | T, name: string) => T,
  value: string | T,
  name: string,
): T {
  try {
    return clean(value, name);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`Cannot parse ${name}: the value was rejected`, {
      cause: error,
    });
  }
}
