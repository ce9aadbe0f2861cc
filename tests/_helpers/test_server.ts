/**
 * Real HTTP servers on 127.0.0.1 for the client tests: a recording
 * `Deno.serve` server, raw TCP servers that misbehave below HTTP, and a port
 * that refuses connections.
 *
 * @module
 */

/** One request as a test server received it. */
export interface RecordedRequest {
  /** The method, upper case. */
  method: string;
  /** The full URL as the server saw it. */
  url: URL;
  /** The path with its query, such as `/api/v1/projects?limit=5`. */
  path: string;
  /** The request headers. */
  headers: Headers;
  /** The body bytes. */
  bytes: Uint8Array;
  /** The body as text. */
  text: string;
}

/** Answers one request; `index` counts requests from 0. */
export type TestHandler = (
  recorded: RecordedRequest,
  index: number,
  request: Request,
) => Response | Promise<Response>;

/** A running test server. */
export interface TestServer {
  /** The origin, such as `http://127.0.0.1:41234`. */
  url: string;
  /** Every request received, in order of arrival. */
  requests: RecordedRequest[];
  /** Ends every hanging request and shuts the server down. */
  close(): Promise<void>;
  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

const decoder = new TextDecoder();

/**
 * Starts a `Deno.serve` on 127.0.0.1, port 0, that records every request and
 * answers with `handler`.
 */
export function startServer(handler: TestHandler): TestServer {
  const requests: RecordedRequest[] = [];
  const releases = new Set<() => void>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      const bytes = new Uint8Array(await request.arrayBuffer());
      const url = new URL(request.url);
      const recorded: RecordedRequest = {
        method: request.method,
        url,
        path: url.pathname + url.search,
        headers: request.headers,
        bytes,
        text: decoder.decode(bytes),
      };
      const index = requests.push(recorded) - 1;
      let release!: () => void;
      const released = new Promise<void>((resolve) => release = resolve);
      releases.add(release);
      try {
        return await Promise.race([
          handler(recorded, index, request),
          released.then(() => new Response(null, { status: 499 })),
        ]);
      } finally {
        releases.delete(release);
      }
    },
  );
  const close = async () => {
    for (const release of releases) release();
    await server.shutdown();
  };
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * A handler result that never comes: the request hangs until the server
 * closes (the client gives up on its own timeout or signal).
 */
export function hang(): Promise<Response> {
  return new Promise<Response>(() => {});
}

/** A JSON response. */
export function json(
  body: unknown,
  init: ResponseInit = {},
): Response {
  const headers = new Headers(init.headers);
  headers.set("content-type", "application/json");
  return new Response(JSON.stringify(body), { ...init, headers });
}

/** The API error body the Runplane server sends. */
export function apiError(
  status: number,
  code: string,
  message: string,
  headers?: HeadersInit,
): Response {
  return json({ error: { code, message } }, { status, headers });
}

/** A running raw TCP server. */
export interface RawServer {
  /** The origin, such as `http://127.0.0.1:41234`. */
  url: string;
  /** How many requests were read. */
  readonly count: number;
  /** The head (request line and headers) of every request read. */
  readonly heads: string[];
  /** Closes the listener and every open connection. */
  close(): Promise<void>;
  /** Same as `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts a raw TCP server on 127.0.0.1, port 0. For every connection it reads
 * one request head (and a `Content-Length` body), then hands the socket to
 * `respond`, then closes the socket: below HTTP, so it can misbehave in ways
 * `Deno.serve` never does.
 */
export function startRawServer(
  respond: (conn: Deno.Conn, index: number) => Promise<void>,
): RawServer {
  const heads: string[] = [];
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  const handlers = new Set<Promise<void>>();
  let count = 0;
  const serve = async (conn: Deno.Conn) => {
    open.add(conn);
    try {
      const head = await readRequest(conn);
      if (head !== undefined) {
        heads.push(head);
        await respond(conn, count++);
      }
    } catch {
      // The client went away first: nothing to do.
    } finally {
      open.delete(conn);
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }
  };
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        const handled = serve(conn);
        handlers.add(handled);
        handled.finally(() => handlers.delete(handled));
      }
    } catch {
      // The listener was closed.
    }
  })();
  const close = async () => {
    listener.close();
    await accepting;
    for (const conn of open) {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }
    await Promise.all(handlers);
  };
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    get count() {
      return count;
    },
    heads,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Reads one request and returns its head; `undefined` when the peer closed first. */
async function readRequest(conn: Deno.Conn): Promise<string | undefined> {
  const buffer = new Uint8Array(64 * 1024);
  let received = "";
  let headEnd = -1;
  for (let reads = 0; reads < 1_000; reads++) {
    const n = await conn.read(buffer);
    if (n === null) return undefined;
    received += decoder.decode(buffer.subarray(0, n));
    headEnd = received.indexOf("\r\n\r\n");
    if (headEnd >= 0) {
      const length = Number(
        /\r\ncontent-length:\s*(\d+)/i.exec(received)?.[1] ?? 0,
      );
      if (received.length - headEnd - 4 >= length) {
        return received.slice(0, headEnd);
      }
    }
  }
  return undefined;
}

/** A raw-server behaviour: close the socket without answering. */
export function dropConnection(): Promise<void> {
  return Promise.resolve();
}

/**
 * A raw-server behaviour: declare a body longer than the one written, then
 * close the socket.
 */
export async function truncatedBody(conn: Deno.Conn): Promise<void> {
  const partial = '{"items":[1,2';
  const head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n" +
    `content-length: ${partial.length + 100}\r\nconnection: close\r\n\r\n`;
  await conn.write(new TextEncoder().encode(head + partial));
}

/** The origin of a port on 127.0.0.1 where nothing listens: connections are refused. */
export function refusingUrl(): string {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return `http://127.0.0.1:${port}`;
}

/** The headers of a raw request head, as `Headers`. */
export function headHeaders(head: string): Headers {
  const headers = new Headers();
  for (const line of head.split("\r\n").slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) {
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
  }
  return headers;
}
