/**
 * Reading and parsing a response body: counted against the client's cap
 * after decompression, copied out of the chunks that carried it, and parsed
 * into the value of a success or the typed error of a failure.
 *
 * @module
 */

import { ApiError } from "../errors.ts";

/** The largest response body the client reads. */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder();

/**
 * Whether the body's length is known and within the cap. `fetch` unpacks
 * gzip and friends, and then `Content-Length` gives the packed size: only an
 * identity body can be trusted to be that long. `response.body` is left
 * alone: for an answer held in memory, reading it makes a stream (about 2.5
 * us a request with the body read through it), and an absent body reads as
 * empty either way.
 */
export function hasTrustedLength(response: Response): boolean {
  const length = response.headers.get("content-length");
  if (length === null || !(Number(length) <= MAX_RESPONSE_BYTES)) return false;
  const encoding = response.headers.get("content-encoding");
  return encoding === null || encoding === "identity";
}

/** Reads a body that is not a trusted identity body of a declared length. */
export async function readBody(
  response: Response,
  method: string,
  url: string,
): Promise<Uint8Array> {
  if (response.body === null) return EMPTY;
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > MAX_RESPONSE_BYTES) {
    await response.body.cancel();
    throw tooLarge(response, method, url);
  }
  return await readCounted(response.body, response, method, url);
}

/**
 * Reads a stream into one growing buffer, counting what was actually read
 * against the cap. Each chunk is copied and let go at once: a chunk may be a
 * small view on a large buffer, and a thousand of them would keep a thousand
 * large buffers alive.
 */
async function readCounted(
  stream: ReadableStream<Uint8Array>,
  response: Response,
  method: string,
  url: string,
): Promise<Uint8Array> {
  let buffer = EMPTY;
  let length = 0;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const end = length + value.byteLength;
      if (end > MAX_RESPONSE_BYTES) {
        await reader.cancel();
        throw tooLarge(response, method, url);
      }
      if (end > buffer.byteLength) {
        const grown = new Uint8Array(
          Math.min(
            Math.max(end, buffer.byteLength * 2, 4_096),
            MAX_RESPONSE_BYTES,
          ),
        );
        grown.set(buffer.subarray(0, length));
        buffer = grown;
      }
      buffer.set(value, length);
      length = end;
    }
  } finally {
    reader.releaseLock();
  }
  return buffer.subarray(0, length);
}

/** The parsed body of a success, or the error an answer stands for. */
export function parseBody(
  method: string,
  url: string,
  response: Response,
  bytes: Uint8Array,
): unknown {
  const text = bytes.byteLength === 0 ? "" : decoder.decode(bytes);
  const ok = response.status >= 200 && response.status < 300;
  let body: unknown = undefined;
  let parsed = true;
  // Parsed first: only text that is not JSON is looked at again (blank
  // text is an empty body).
  try {
    if (text !== "") body = JSON.parse(text);
  } catch {
    if (text.trim() !== "") {
      parsed = false;
      body = text.slice(0, 4_096);
    }
  }
  if (ok && parsed) return body;
  const path = new URL(url).pathname;
  const kind = response.headers.get("content-type")?.split(";")[0] ||
    "no content type";
  const init = {
    status: response.status,
    method,
    url,
    requestId: response.headers.get("x-request-id") ?? undefined,
    body,
    headers: response.headers,
  };
  if (ok) {
    // A cut-off or garbled success may hold part of a secret: keep none of it.
    throw new ApiError({
      ...init,
      body: undefined,
      message:
        `${method} ${path} answered ${response.status} with a body that is not valid JSON (${kind})`,
    });
  }
  throw ApiError.from({
    ...init,
    message: parsed
      ? undefined
      : `${method} ${path} failed with status ${response.status}: the response is not JSON (${kind})`,
  });
}

function tooLarge(response: Response, method: string, url: string): ApiError {
  return new ApiError({
    status: response.status,
    method,
    url,
    headers: response.headers,
    message: `${method} ${
      new URL(url).pathname
    } answered with a body larger than the client reads (${MAX_RESPONSE_BYTES} bytes, counted after decompression)`,
  });
}
