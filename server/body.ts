/**
 * Reads request bodies with a hard size cap and a deadline, and parses them
 * as JSON.
 *
 * Hono's `bodyLimit()` is not used: it is a middleware, so it runs before
 * the route authenticates the caller, and it keeps no deadline, where we
 * read a body only once the caller is known (with a smaller cap for the open
 * login routes), within `bodyTimeoutMs`, into one growing buffer.
 *
 * @module
 */

import { HttpError } from "./http_error.ts";

/** The largest body the server reads from an authenticated caller. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** The largest body read before the caller is known (logins, refresh): forms of a few fields. */
export const MAX_OPEN_BODY_BYTES = 64 * 1024;
/** Bodies of a declared length up to this are read in one call. */
const SMALL_BODY_BYTES = 64 * 1024;
/** The first buffer: most bodies fit. */
const INITIAL_CAPACITY = 16 * 1024;

const EMPTY = new Uint8Array(0);
/**
 * The smallest view a BYOB read is given: `Deno.serve`'s body stream never
 * settles a one-byte read that has to wait for the next chunk (Deno 2.9.6),
 * which a body of exactly the cap would otherwise get.
 */
const MIN_READ = 1024;

/** How {@linkcode readBody} bounds a body. */
export interface ReadBodyOptions {
  /**
   * The most bytes read; a longer body is a 413.
   *
   * @default {1048576}
   */
  maxBytes?: number;
  /**
   * The time the whole body may take to arrive, in milliseconds; a body that
   * stalls past it is a 408 and its connection is closed.
   *
   * @default {30000}
   */
  timeoutMs?: number;
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(
    413,
    "body_too_large",
    maxBytes % (1024 * 1024) === 0
      ? `Request body is over ${maxBytes / 1024 / 1024} MiB`
      : `Request body is over ${maxBytes / 1024} KiB`,
  );
}

/**
 * Reads a body, refusing one whose `Content-Length` or actual length is over
 * the cap, or that does not arrive in time. Bytes land in one buffer that
 * grows by doubling: read into it directly where the stream allows (the
 * server's own connections do), else copied into it chunk by chunk. A body
 * sent in many tiny pieces thus holds no more memory than its bytes; each
 * chunk of a default reader is a view on a far larger buffer, which keeping
 * it would pin and which even a copy leaves for the collector, over 50 MiB
 * of garbage for 20 connections sending 1,000 one-byte chunks.
 *
 * @param request The incoming request.
 * @param options The size cap and the deadline.
 * @returns The body bytes (empty when there is none).
 * @throws {HttpError} 413 when the body is too large, 408 when it is too slow.
 */
export async function readBody(
  request: Request,
  options: ReadBodyOptions = {},
): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? MAX_BODY_BYTES;
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) {
    await request.body?.cancel();
    throw tooLarge(maxBytes);
  }
  if (request.body === null) return EMPTY;
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (declared >= 0 && declared <= SMALL_BODY_BYTES) {
    return await readDeclared(request, timeoutMs);
  }
  // Grown as bytes arrive: a declared length alone reserves no memory.
  const buffer = new GrowingBuffer(
    Math.min(declared >= 0 ? declared : INITIAL_CAPACITY, INITIAL_CAPACITY),
    maxBytes + MIN_READ,
  );
  let cancel: () => Promise<void>;
  let read: () => Promise<boolean>;
  try {
    const reader = request.body.getReader({ mode: "byob" });
    cancel = () => reader.cancel();
    read = async () => {
      const { done, value } = await reader.read(buffer.free());
      if (value) buffer.filled(value);
      return done;
    };
  } catch {
    // Not a byte stream (a Request made in code): copy what it yields.
    const reader = request.body.getReader();
    cancel = () => reader.cancel();
    read = async () => {
      const { done, value } = await reader.read();
      if (value) buffer.append(value);
      return done;
    };
  }
  let timedOut = false;
  const unwatch = watch(timeoutMs, () => {
    timedOut = true;
    cancel().catch(() => {});
  });
  try {
    while (!await read()) {
      if (buffer.size > maxBytes) {
        await cancel();
        throw tooLarge(maxBytes);
      }
    }
  } catch (error) {
    if (!timedOut) throw error;
  } finally {
    unwatch();
  }
  if (timedOut) throw bodyTimeout();
  return buffer.bytes();
}

/**
 * Reads a small body of declared length in one call: the runtime collects
 * it natively (no stream reader set up in JavaScript, which cost as much as
 * the rest of a small POST's reading), and never past the declared length,
 * so it holds at most {@linkcode SMALL_BODY_BYTES}.
 */
async function readDeclared(
  request: Request,
  timeoutMs: number,
): Promise<Uint8Array> {
  let unwatch = () => {};
  const late = new Promise<undefined>((resolve) => {
    unwatch = watch(timeoutMs, () => resolve(undefined));
  });
  const body = request.bytes();
  try {
    const bytes = await Promise.race([body, late]);
    if (bytes !== undefined) return bytes;
    // The read ends when the connection closes, after the 408.
    body.catch(() => {});
    throw bodyTimeout();
  } finally {
    unwatch();
  }
}

/** How often the deadlines of bodies being read are checked. */
const TICK_MS = 50;
/** Each pending read's expiry, and when it is due. */
const deadlines = new Map<() => void, number>();
let ticking = false;

/**
 * Calls `expire` once `ms` have passed, unless the returned function is
 * called first. One ticker serves every read, running only while some are
 * pending, rather than a timer set and cleared per request; a read is cut
 * at most {@linkcode TICK_MS} after its deadline.
 */
function watch(ms: number, expire: () => void): () => void {
  deadlines.set(expire, Date.now() + ms);
  if (!ticking) {
    ticking = true;
    setTimeout(tick, TICK_MS);
  }
  return () => deadlines.delete(expire);
}

function tick(): void {
  const now = Date.now();
  for (const [expire, due] of deadlines) {
    if (due <= now) {
      deadlines.delete(expire);
      expire();
    }
  }
  if (deadlines.size > 0) setTimeout(tick, TICK_MS);
  else ticking = false;
}

function bodyTimeout(): HttpError {
  return new HttpError(
    408,
    "body_timeout",
    "Request body did not arrive in time: send it without pauses",
    { connection: "close" },
  );
}

/** Bytes in one buffer that doubles as needed, up to a limit. */
class GrowingBuffer {
  #bytes: Uint8Array<ArrayBuffer>;
  readonly #limit: number;
  /** How many bytes it holds. */
  size = 0;

  constructor(capacity: number, limit: number) {
    this.#bytes = new Uint8Array(capacity);
    this.#limit = limit;
  }

  /** The free space after the bytes held, at least {@linkcode MIN_READ} bytes, for a BYOB read. */
  free(): Uint8Array<ArrayBuffer> {
    this.#reserve(MIN_READ);
    return this.#bytes.subarray(this.size);
  }

  /** Takes back the buffer a BYOB read filled (the read transferred it). */
  filled(view: Uint8Array): void {
    this.#bytes = new Uint8Array(view.buffer as ArrayBuffer);
    this.size += view.byteLength;
  }

  /** Copies a chunk in; past the limit only the count grows. */
  append(chunk: Uint8Array): void {
    this.#reserve(chunk.length);
    const room = Math.min(chunk.length, this.#bytes.length - this.size);
    this.#bytes.set(chunk.subarray(0, room), this.size);
    this.size += chunk.length;
  }

  /** The bytes held. */
  bytes(): Uint8Array {
    return this.size === this.#bytes.length
      ? this.#bytes
      : this.#bytes.slice(0, this.size);
  }

  #reserve(more: number): void {
    if (this.size + more <= this.#bytes.length) return;
    const capacity = Math.min(
      this.#limit,
      Math.max(this.#bytes.length * 2, this.size + more),
    );
    if (capacity <= this.#bytes.length) return;
    const grown = new Uint8Array(capacity);
    grown.set(this.#bytes.subarray(0, this.size));
    this.#bytes = grown;
  }
}

/**
 * Parses a JSON body.
 *
 * @param bytes The body bytes.
 * @param contentType The request's `Content-Type`.
 * @returns The parsed value, or `undefined` for an empty body.
 * @throws {HttpError} 415 for a body that is not JSON by type, 400 `invalid_json` for one that does not parse.
 */
export function parseJsonBody(
  bytes: Uint8Array,
  contentType: string | null,
): unknown {
  if (bytes.length === 0) return undefined;
  const mediaType = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (mediaType !== "application/json") {
    throw new HttpError(
      415,
      "unsupported_media_type",
      "Request body must be application/json",
    );
  }
  let value: unknown;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, "invalid_json", "Request body is not valid JSON");
  }
  if (nestingDepth(text) > MAX_DEPTH) {
    throw new HttpError(
      400,
      "invalid_json",
      `Request body is nested more than ${MAX_DEPTH} levels deep`,
    );
  }
  return value;
}

/** Deeper JSON would overflow the stack of recursive code such as JSON.stringify. */
const MAX_DEPTH = 64;

/**
 * The deepest bracket nesting of valid JSON text, counted without recursion.
 * Strings, most of a body's characters (log messages above all), are
 * skipped with `indexOf` rather than walked a character at a time.
 */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x22) {
      i = stringEnd(text, i);
    } else if (code === 0x7b || code === 0x5b) {
      deepest = Math.max(deepest, ++depth);
    } else if (code === 0x7d || code === 0x5d) {
      depth--;
    }
  }
  return deepest;
}

/** The index of the quote closing the string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  while (end > 0) {
    // A quote after an odd run of backslashes is escaped.
    let slashes = 0;
    while (text.charCodeAt(end - 1 - slashes) === 0x5c) slashes++;
    if (slashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return text.length; // Unreachable for text JSON.parse accepted.
}
