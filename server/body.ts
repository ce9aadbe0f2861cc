/**
 * Reads request bodies with a hard size cap, and parses them as JSON.
 *
 * @module
 */

import { HttpError } from "./http_error.ts";

/** The largest body the server reads. */
const MAX_BODY_BYTES = 1024 * 1024;

const EMPTY = new Uint8Array(0);

function tooLarge(): HttpError {
  return new HttpError(413, "body_too_large", "Request body is over 1 MiB");
}

/**
 * Reads a body, refusing one whose `Content-Length` or actual length is over
 * the cap. It streams, so at most the cap is ever held in memory.
 *
 * @param request The incoming request.
 * @returns The body bytes (empty when there is none).
 * @throws {HttpError} 413 when the body is too large.
 */
export async function readBody(request: Request): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > MAX_BODY_BYTES) {
    await request.body?.cancel();
    throw tooLarge();
  }
  if (request.body === null) return EMPTY;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
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
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new HttpError(400, "invalid_json", "Request body is not valid JSON");
  }
  if (nestingDepth(bytes) > MAX_DEPTH) {
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

/** The deepest bracket nesting of valid JSON text, counted without recursion. */
function nestingDepth(bytes: Uint8Array): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (inString) {
      if (byte === 0x5c) i++; // A backslash escapes the next byte.
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) {
      inString = true;
    } else if (byte === 0x7b || byte === 0x5b) {
      deepest = Math.max(deepest, ++depth);
    } else if (byte === 0x7d || byte === 0x5d) {
      depth--;
    }
  }
  return deepest;
}
