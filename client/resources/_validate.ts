/**
 * Argument checks shared by the resource modules. Each throws an
 * {@linkcode InvalidArgumentError} that names the argument and the rule, and
 * never repeats the value (it may be a secret).
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { checkWholeNumber } from "../../whole_number.ts";
import type { ListCredentialsOptions } from "./types.ts";
import {
  LOG_LEVELS,
  type LogLevel,
  MAX_PAGE_SIZE,
  STATE_TYPES,
  type StateInput,
  type StateType,
} from "../../api/mod.ts";

/** Throws unless `value` is a non-empty string. */
export function requireString(name: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new InvalidArgumentError(`${name} must be a non-empty string`);
  }
  return value;
}

/** Throws unless `value` is `undefined` or a non-empty string. */
export function optionalString(
  name: string,
  value: unknown,
): string | undefined {
  return value === undefined ? undefined : requireString(name, value);
}

/** Throws unless `value` is a whole number inside the bounds. */
export function requireWholeNumber(
  name: string,
  value: unknown,
  min: number,
  max?: number,
): number {
  return checkWholeNumber(value, {
    min,
    max,
    fail: (expected) => new InvalidArgumentError(`${name} must be ${expected}`),
  });
}

/** A listing's `limit`, when given: a whole number from 1 to the largest page. */
export function optionalPageSize(value: unknown): number | undefined {
  return value === undefined
    ? undefined
    : requireWholeNumber("limit", value, 1, MAX_PAGE_SIZE);
}

/** Throws unless `value` is a plain object (not an array, not null). */
export function requireObject<T extends object>(name: string, value: T): T {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`${name} must be an object`);
  }
  return value;
}

/** Throws unless `value` is `undefined` or a plain object. */
export function optionalRecord(
  name: string,
  value: unknown,
): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`${name} must be an object`);
  }
  return value as Record<string, unknown>;
}

/** Throws unless `value` is `undefined` or a boolean. */
export function optionalBoolean(
  name: string,
  value: unknown,
): boolean | undefined {
  if (value !== undefined && typeof value !== "boolean") {
    throw new InvalidArgumentError(`${name} must be a boolean`);
  }
  return value;
}

/** Throws unless `value` is one of `choices`. */
export function requireChoice<T extends string>(
  name: string,
  value: unknown,
  choices: readonly T[],
): T {
  if (typeof value !== "string" || !choices.includes(value as T)) {
    throw new InvalidArgumentError(
      `${name} must be one of ${choices.map((c) => `"${c}"`).join(", ")}`,
    );
  }
  return value as T;
}

/** Throws unless `value` is a state type. */
export function requireStateType(name: string, value: unknown): StateType {
  return requireChoice(name, value, STATE_TYPES);
}

/** A state object or bare type, checked and normalised to an object. */
export function requireState(value: unknown): StateInput {
  if (typeof value === "string") {
    return { type: requireStateType("state", value) };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(
      'state must be a state type such as "RUNNING" or an object { type, message?, result?, cacheKey? }',
    );
  }
  const state = value as StateInput;
  requireStateType("state.type", state.type);
  if (state.message !== undefined && typeof state.message !== "string") {
    throw new InvalidArgumentError("state.message must be a string");
  }
  optionalString("state.cacheKey", state.cacheKey);
  return state;
}

/** A log level of any case, upper-cased. */
export function requireLogLevel(value: unknown): LogLevel {
  const upper = typeof value === "string" ? value.toUpperCase() : value;
  if (typeof upper !== "string" || !LOG_LEVELS.includes(upper as LogLevel)) {
    throw new InvalidArgumentError(
      `level must be one of ${LOG_LEVELS.join(", ")} (any case)`,
    );
  }
  return upper as LogLevel;
}

/** A time as an ISO-8601 string, from a `Date` or a parsable string. */
export function requireTime(name: string, value: unknown): string {
  const date = value instanceof Date
    ? value
    : typeof value === "string"
    ? new Date(value)
    : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError(
      `${name} must be a Date or an ISO-8601 time`,
    );
  }
  return date.toISOString();
}

/** Encodes one path segment after checking it is a non-empty string. */
export function segment(name: string, value: unknown): string {
  return encodeURIComponent(requireString(name, value));
}

/** The query of a credential listing, checked. */
export function credentialQuery(
  options: ListCredentialsOptions,
): Record<string, string | number | undefined> {
  requireObject("options", options);
  return {
    tenant: optionalString("tenant", options.tenant),
    username: optionalString("username", options.username),
    limit: optionalPageSize(options.limit),
  };
}
