/**
 * The server's own HTTP/1.1 connection handling: an accept loop that counts
 * connections, refuses those over a cap, survives running out of file
 * descriptors, and closes a connection whose next request's headers do not
 * arrive in time.
 *
 * `Deno.serve` accepts in native code with none of these controls (its
 * accept loop ends the process when descriptors run out), so connections are
 * accepted here with `Deno.listen` and each is handed to `Deno.serveHttp`,
 * which parses HTTP on that one connection.
 *
 * @module
 */

/** One request on a connection, as `Deno.serveHttp` yields it. */
interface RequestEvent {
  readonly request: Request;
  respondWith(response: Response | Promise<Response>): Promise<void>;
}

/** An HTTP connection of `Deno.serveHttp`. */
interface HttpConn {
  nextRequest(): Promise<RequestEvent | null>;
  close(): void;
}

/**
 * `Deno.serveHttp` left the type declarations in Deno 2 but not the runtime;
 * it is the only way to speak HTTP on a connection this module accepted.
 */
const serveHttp = (Deno as unknown as {
  serveHttp(conn: Deno.Conn): HttpConn;
}).serveHttp;

/** Options of {@linkcode serve}. */
export interface ServeOptions {
  /** The interface to listen on. */
  hostname: string;
  /** The port; `0` picks a free one. */
  port: number;
  /** The most connections open at once; more are answered 503 and closed. */
  maxConnections: number;
  /**
   * How long a connection may take to send a request's headers, counted from
   * its opening or the end of its previous answer, in milliseconds.
   */
  headerTimeoutMs: number;
  /** Answers a request. It must not throw. */
  handler: (request: Request) => Promise<Response>;
}

/** A listening server. */
export interface Server {
  /** Where it listens. */
  readonly addr: Deno.NetAddr;
  /** Stops accepting, waits for answers in flight, closes every connection. */
  shutdown(): Promise<void>;
}

/** The client address of each request being served. */
const addresses = new WeakMap<Request, string>();

/**
 * The address of the client that sent a request, as this server accepted it
 * (behind a proxy, the proxy's).
 *
 * @param request A request {@linkcode serve} handed to its handler.
 * @returns The IP address, or `undefined` for a request from elsewhere.
 */
export function clientAddress(request: Request): string | undefined {
  return addresses.get(request);
}

/** How long the accept loop pauses after a failed accept, such as EMFILE. */
const ACCEPT_PAUSE_MS = 100;
const encoder = new TextEncoder();
const FULL_BODY = JSON.stringify({
  error: {
    code: "server_busy",
    message: "The server has too many open connections: retry shortly",
  },
});
const FULL_RESPONSE = encoder.encode(
  "HTTP/1.1 503 Service Unavailable\r\n" +
    "content-type: application/json; charset=utf-8\r\n" +
    "retry-after: 1\r\nconnection: close\r\n" +
    `content-length: ${encoder.encode(FULL_BODY).length}\r\n\r\n${FULL_BODY}`,
);

/**
 * Listens and serves until {@linkcode Server.shutdown}.
 *
 * @param options Where to listen, the limits, and the handler.
 * @returns The listening server.
 */
export function serve(options: ServeOptions): Server {
  const listener = Deno.listen({
    hostname: options.hostname,
    port: options.port,
  });
  /** Open connections, each with whether it is idle between requests. */
  const open = new Map<HttpConn, { idle: boolean }>();
  const busy = new Set<Promise<void>>();
  let closing = false;

  async function serveConnection(conn: Deno.Conn): Promise<void> {
    const address = (conn.remoteAddr as Deno.NetAddr).hostname;
    const http = serveHttp(conn);
    const state = { idle: true };
    open.set(http, state);
    try {
      while (!closing) {
        state.idle = true;
        const timer = setTimeout(() => close(http), options.headerTimeoutMs);
        let event: RequestEvent | null;
        try {
          event = await http.nextRequest();
        } catch {
          event = null;
        } finally {
          clearTimeout(timer);
        }
        if (event === null) break;
        state.idle = false;
        addresses.set(event.request, address);
        const response = await options.handler(event.request);
        // A client that went away mid-answer is no error of the server's.
        await event.respondWith(response).catch(() => {});
      }
    } finally {
      open.delete(http);
      close(http);
    }
  }

  async function acceptLoop(): Promise<void> {
    while (!closing) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch {
        if (closing) return;
        // Out of descriptors (EMFILE) or another passing failure: the
        // connection waits in the backlog until some close.
        await new Promise((resolve) => setTimeout(resolve, ACCEPT_PAUSE_MS));
        continue;
      }
      if (open.size >= options.maxConnections) {
        void refuse(conn);
        continue;
      }
      const served = serveConnection(conn);
      busy.add(served);
      void served.finally(() => busy.delete(served));
    }
  }

  const accepting = acceptLoop();
  return {
    addr: listener.addr as Deno.NetAddr,
    async shutdown() {
      closing = true;
      listener.close();
      await accepting;
      for (const [http, state] of open) if (state.idle) close(http);
      await Promise.all(busy);
    },
  };
}

/** Answers 503 on a connection over the cap, without reading it, and closes it. */
async function refuse(conn: Deno.Conn): Promise<void> {
  try {
    await conn.write(FULL_RESPONSE);
  } catch {
    // It may have gone already.
  } finally {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }
}

function close(http: HttpConn): void {
  try {
    http.close();
  } catch {
    // Already closed.
  }
}
