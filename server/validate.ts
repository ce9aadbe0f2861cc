/**
 * Hand-written validation of request bodies and parameters. Each reader checks
 * one field and throws a 400 {@linkcode HttpError} whose message names the
 * field and what it expects.
 *
 * @module
 */

import { type HttpError, invalidBody, invalidParameter } from "./http_error.ts";
import { checkWholeNumber } from "../whole_number.ts";

/** A JSON object as parsed from a body. */
export type JsonObject = Record<string, unknown>;

/** Bounds for {@linkcode Fields.string}. */
export interface StringRule {
  /** Fewest characters. @default {1} */
  min?: number;
  /** Most characters. @default {255} */
  max?: number;
  /** A pattern the whole value must match. */
  pattern?: RegExp;
  /** Says what the pattern wants, for the message. */
  patternHint?: string;
}

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:(\d{2})(\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/;

/**
 * Parses an ISO-8601 time with a zone, refusing impossible fields such as
 * February 30th, which `Date.parse` would roll over into March.
 *
 * @returns Epoch milliseconds, or `NaN`.
 */
function parseIsoDate(text: string): number {
  const match = ISO_DATE.exec(text);
  if (!match) return NaN;
  const [year, month, day, hour, minute] = match.slice(1, 6).map(Number);
  const second = Number(match[7] ?? 0);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (
    month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 ||
    minute > 59 || second > 59 || Number(match[10] ?? 0) > 23 ||
    Number(match[11] ?? 0) > 59
  ) {
    return NaN;
  }
  return Date.parse(text);
}

const CANONICAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether `text` is a time exactly as `toISOString()` writes it (what
 * clients send: a log batch holds thousands), which then needs neither
 * parsing nor rewriting: only its fields' ranges are checked.
 */
function isCanonicalTime(text: string): boolean {
  if (!CANONICAL_TIME.test(text)) return false;
  const digits = (at: number, count: number) => {
    let value = 0;
    for (let i = at; i < at + count; i++) {
      value = value * 10 + text.charCodeAt(i) - 48;
    }
    return value;
  };
  const year = digits(0, 4);
  const month = digits(5, 2);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  const day = digits(8, 2);
  return month >= 1 && month <= 12 && day >= 1 && day <= days &&
    digits(11, 2) <= 23 && digits(14, 2) <= 59 && digits(17, 2) <= 59;
}

/**
 * Reads the fields of one JSON object (a body, or an object inside it).
 * Unknown fields are ignored, so older servers accept newer clients.
 */
export class Fields {
  readonly #object: JsonObject;
  readonly #prefix: string;

  /**
   * @param value The parsed JSON to read.
   * @param prefix The path of `value` inside the body, for messages.
   */
  constructor(value: unknown, prefix = "") {
    if (!isObject(value)) {
      throw invalidBody(
        prefix
          ? `Field ${prefix} must be an object`
          : "Request body must be a JSON object",
      );
    }
    this.#object = value;
    this.#prefix = prefix ? `${prefix}.` : "";
  }

  /** Whether the field is present and not null. */
  has(name: string): boolean {
    return this.#object[name] !== undefined && this.#object[name] !== null;
  }

  /** A required string. */
  string(name: string, rule: StringRule = {}): string {
    const value = this.#object[name];
    const min = rule.min ?? 1;
    const max = rule.max ?? 255;
    if (
      typeof value !== "string" || value.length < min || value.length > max
    ) {
      throw this.#fail(name, `a string of ${min} to ${max} characters`);
    }
    if (rule.pattern && !rule.pattern.test(value)) {
      throw this.#fail(name, rule.patternHint ?? `match ${rule.pattern}`);
    }
    return value;
  }

  /** An optional string; `null` counts as absent. */
  optionalString(name: string, rule: StringRule = {}): string | undefined {
    return this.has(name) ? this.string(name, rule) : undefined;
  }

  /** A required whole number inside bounds. */
  wholeNumber(name: string, min: number, max: number): number {
    return checkWholeNumber(this.#object[name], {
      min,
      max,
      fail: (expected) => this.#fail(name, expected),
    });
  }

  /** An optional whole number inside bounds. */
  optionalWholeNumber(
    name: string,
    min: number,
    max: number,
  ): number | undefined {
    return this.has(name) ? this.wholeNumber(name, min, max) : undefined;
  }

  /** An optional boolean. */
  optionalBoolean(name: string): boolean | undefined {
    if (!this.has(name)) return undefined;
    const value = this.#object[name];
    if (typeof value !== "boolean") throw this.#fail(name, "a boolean");
    return value;
  }

  /**
   * One of a fixed set of strings.
   *
   * @param upperCase Upper-case the value first, to accept any case.
   */
  enumValue<T extends string>(
    name: string,
    values: readonly T[],
    upperCase = false,
  ): T {
    const raw = this.#object[name];
    const value = typeof raw === "string" && upperCase
      ? raw.toUpperCase()
      : raw;
    if (typeof value !== "string" || !values.includes(value as T)) {
      throw this.#fail(name, `one of ${values.join(", ")}`);
    }
    return value as T;
  }

  /** An optional JSON object, returned as is. */
  optionalObject(name: string): JsonObject | undefined {
    if (!this.has(name)) return undefined;
    const value = this.#object[name];
    if (!isObject(value)) throw this.#fail(name, "an object");
    return value;
  }

  /** A nested object to read field by field. */
  nested(name: string): Fields {
    return new Fields(this.#object[name], this.#prefix + name);
  }

  /** An optional ISO-8601 time, returned normalised to UTC. */
  optionalIsoDate(name: string): string | undefined {
    if (!this.has(name)) return undefined;
    const value = this.#object[name];
    if (typeof value === "string" && isCanonicalTime(value)) return value;
    const time = typeof value === "string" ? parseIsoDate(value) : NaN;
    if (Number.isNaN(time)) throw this.#fail(name, "an ISO-8601 time");
    return new Date(time).toISOString();
  }

  /** An optional array of distinct short strings. */
  optionalStringArray(
    name: string,
    maxItems: number,
    rule: StringRule = {},
  ): string[] | undefined {
    if (!this.has(name)) return undefined;
    const value = this.#object[name];
    const max = rule.max ?? 255;
    if (
      !Array.isArray(value) || value.length > maxItems ||
      !value.every((item) =>
        typeof item === "string" && item.length >= 1 && item.length <= max
      )
    ) {
      throw this.#fail(
        name,
        `an array of at most ${maxItems} strings of 1 to ${max} characters`,
      );
    }
    return [...new Set(value as string[])];
  }

  /** A required array, returned for the caller to read item by item. */
  array(name: string, minItems: number, maxItems: number): unknown[] {
    const value = this.#object[name];
    if (
      !Array.isArray(value) || value.length < minItems ||
      value.length > maxItems
    ) {
      throw this.#fail(name, `an array of ${minItems} to ${maxItems} items`);
    }
    return value;
  }

  /** A field that may be any JSON value; `undefined` when absent. */
  any(name: string): unknown {
    return this.#object[name] ?? undefined;
  }

  #fail(name: string, expected: string): HttpError {
    return invalidBody(`Field ${this.#prefix}${name} must be ${expected}`);
  }
}

/** Reads query parameters. */
export class Query {
  readonly #params: URLSearchParams;

  /** @param params The request's query. */
  constructor(params: URLSearchParams) {
    this.#params = params;
  }

  /** An optional string parameter. */
  optionalString(name: string, max = 255): string | undefined {
    const value = this.#params.get(name);
    if (value === null) return undefined;
    if (value.length < 1 || value.length > max) {
      throw invalidParameter(
        `Query parameter ${name} must be 1 to ${max} characters`,
      );
    }
    return value;
  }

  /** An optional whole number with a default. */
  wholeNumber(
    name: string,
    min: number,
    max: number,
    fallback: number,
  ): number {
    const value = this.#params.get(name);
    if (value === null) return fallback;
    return checkWholeNumber(/^\d{1,15}$/.test(value) ? Number(value) : NaN, {
      min,
      max,
      fail: (expected) =>
        invalidParameter(`Query parameter ${name} must be ${expected}`),
    });
  }

  /** An optional one of a fixed set. */
  optionalEnum<T extends string>(
    name: string,
    values: readonly T[],
  ): T | undefined {
    const value = this.#params.get(name);
    if (value === null) return undefined;
    if (!values.includes(value as T)) {
      throw invalidParameter(
        `Query parameter ${name} must be one of ${values.join(", ")}`,
      );
    }
    return value as T;
  }

  /** An optional ISO-8601 time, normalised to UTC. */
  optionalIsoDate(name: string): string | undefined {
    const value = this.#params.get(name);
    if (value === null) return undefined;
    const time = parseIsoDate(value);
    if (Number.isNaN(time)) {
      throw invalidParameter(
        `Query parameter ${name} must be an ISO-8601 time`,
      );
    }
    return new Date(time).toISOString();
  }
}

/**
 * Checks a path parameter against a pattern.
 *
 * @param name The parameter, for the message.
 * @param value Its decoded value.
 * @param pattern What it must match.
 * @param hint What the pattern wants, for the message.
 */
export function pathParameter(
  name: string,
  value: string,
  pattern: RegExp,
  hint: string,
): string {
  if (!pattern.test(value)) {
    throw invalidParameter(`Path parameter ${name} must be ${hint}`);
  }
  return value;
}

/** Whether a value is a plain JSON object (not an array, not null). */
function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Serialises JSON with object keys sorted, so equal values compare equal
 * whatever order their keys came in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, item: unknown) =>
      isObject(item)
        ? Object.fromEntries(
          Object.keys(item).sort().map((key) => [key, item[key]]),
        )
        : item,
  );
}
