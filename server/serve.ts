/**
 * The server's own HTTP/1.1 connection handling: an accept loop that counts
 * connections, refuses those over a cap, survives running out of file
 * descriptors, and closes a connection whose next request's headers do not
 * arrive in time.
 *
 * `Deno.serve` accepts in native code with none of these controls (its
 * accept loop ends the process when descriptors run out), so connections are
 * accepted here with `Deno.listen` and each is handed to the engine of
 * `Deno.serve`, which parses HTTP on that one connection.
 *
 * @module
 */

/** What `serveHttpOnConnection` returns: settles once the connection is done. */
interface ConnectionServer {
  readonly finished: Promise<void>;
}

/**
 * Serves HTTP on one accepted connection with `Deno.serve`'s own engine:
 * the internal `serveHttpOnConnection` (Deno 2.9.6), which `Deno.serve`'s
 * `onListen`-less siblings use. Not `Deno.serveHttp`: that soft-removed API
 * cost some 150 us of CPU per request more (a trivial answer at concurrency
 * 50: 178 us against 26 us, see docs/benchmarks.md), more than half of the
 * reference server's gap to a bare `Deno.serve`. Aborting `signal` ends the
 * connection once its answers in flight are sent; an idle one at once, even
 * one halfway through sending headers (hyper counts it idle until they are
 * complete).
 */
const serveHttpOnConnection = (() => {
  const denoInternal = Deno as unknown as Record<symbol, unknown> & {
    internal: symbol;
  };
  const internal = denoInternal[denoInternal.internal] as {
    serveHttpOnConnection(
      conn: Deno.Conn,
      signal: AbortSignal,
      handler: (request: Request) => Promise<Response>,
      onError: (error: unknown) => Response,
      onListen: () => void,
    ): ConnectionServer;
  };
  return typeof internal?.serveHttpOnConnection === "function"
    ? internal.serveHttpOnConnection
    : undefined;
})();

/** Options of {@linkcode serve}. */
export interface ServeOptions {
  /** The interface to listen on. */
  hostname: string;
  /** The port; `0` picks a free one. */
  port: number;
  /**
   * The most connections open at once; more are answered 503 and closed.
   * Running out of file descriptors lowers it to below what was open then.
   */
  maxConnections: number;
  /**
   * How long a connection may take to send a request's headers, counted from
   * its opening or the end of its previous answer, in milliseconds.
   */
  headerTimeoutMs: number;
  /** Answers a request; a throw is answered 500. */
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

/**
 * How long a connection over the cap has to send its request, to be
 * answered 503; and how many such may wait at once, beyond which one is
 * closed unanswered.
 */
const REFUSED_HEADER_TIMEOUT_MS = 1_000;
const MAX_REFUSED = 16;
/** EMFILE and ENFILE, as Deno words them. */
const OUT_OF_DESCRIPTORS = /\(os error 2[34]\)/;
/** Descriptors kept free below the limit once it is found: refused connections, the database. */
const DESCRIPTOR_RESERVE = 2 * MAX_REFUSED;
/** How long idle connections wait once shutdown begins, for answers still being sent. */
const SHUTDOWN_GRACE_MS = 100;
/** How long the accept loop pauses after a failed accept, such as EMFILE. */
const ACCEPT_PAUSE_MS = 100;
const FULL_BODY = JSON.stringify({
  error: {
    code: "server_busy",
    message: "The server has too many open connections: retry shortly",
  },
});

/** The answer to a request on a connection over the cap. */
function serverBusy(): Promise<Response> {
  return Promise.resolve(
    new Response(FULL_BODY, {
      status: 503,
      headers: {
        "content-type": "application/json; charset=utf-8",
        "retry-after": "1",
        connection: "close",
      },
    }),
  );
}

/**
 * Listens and serves until {@linkcode Server.shutdown}.
 *
 * @param options Where to listen, the limits, and the handler.
 * @returns The listening server.
 */
export function serve(options: ServeOptions): Server {
  if (serveHttpOnConnection === undefined) {
    throw new Error(
      `This Deno (${Deno.version.deno}) lacks the per-connection HTTP engine the server needs: run it with Deno 2.9 (./deno in the repository pins it)`,
    );
  }
  const serveHttp = serveHttpOnConnection;
  const listener = Deno.listen({
    hostname: options.hostname,
    port: options.port,
  });
  let maxConnections = options.maxConnections;
  /** How many connections are open, under the cap and over it. */
  let open = 0;
  let turnedAway = 0;
  const busy = new Set<Promise<void>>();
  let closing = false;
  /** Ends each open connection once its answers in flight are sent. */
  const enders = new Set<() => void>();

  /**
   * Serves the requests of one connection until it closes; one over the cap
   * (`refused`) gets a short while to send one request, answered 503. HTTP
   * is spoken even to those because closing a socket with its request
   * unread resets it, and the client would lose the answer.
   *
   * The deadline for the next request's headers runs from the opening and
   * from each answer; a request that arrives stops it.
   */
  async function serveConnection(
    conn: Deno.Conn,
    refused: boolean,
  ): Promise<void> {
    const address = (conn.remoteAddr as Deno.NetAddr).hostname;
    const handler = refused ? serverBusy : options.handler;
    const headerTimeoutMs = refused
      ? REFUSED_HEADER_TIMEOUT_MS
      : options.headerTimeoutMs;
    const ending = new AbortController();
    const end = () => ending.abort();
    const wait = () => closing ? SHUTDOWN_GRACE_MS : headerTimeoutMs;
    // One timer per connection, not one per request: when it fires it ends
    // the connection if nothing came since the deadline, else waits again
    // for what is left. A request in flight re-arms it when answered.
    let timer: ReturnType<typeof setTimeout> | undefined;
    let inFlight = 0;
    let lastAnswer = Date.now();
    const check = () => {
      timer = undefined;
      if (inFlight > 0) return;
      const left = lastAnswer + wait() - Date.now();
      if (left > 0) timer = setTimeout(check, left);
      else end();
    };
    enders.add(end);
    timer = setTimeout(check, wait());
    try {
      const http = serveHttp(
        conn,
        ending.signal,
        async (request) => {
          inFlight++;
          addresses.set(request, address);
          try {
            const response = await handler(request);
            if (closing) endAfter(response);
            return response;
          } finally {
            inFlight--;
            lastAnswer = Date.now();
            if (timer === undefined && !ending.signal.aborted) {
              timer = setTimeout(check, wait());
            }
          }
        },
        () => new Response(null, { status: 500 }),
        () => {},
      );
      // A client that went away mid-answer is no error of the server's.
      await http.finished.catch(() => {});
    } finally {
      clearTimeout(timer);
      enders.delete(end);
    }
  }

  async function acceptLoop(): Promise<void> {
    while (!closing) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (closing) return;
        // Out of descriptors (EMFILE) or another passing failure: the
        // connection waits in the backlog until some close. The limit is
        // now known: the cap goes below it, with room to refuse the excess.
        if (OUT_OF_DESCRIPTORS.test(String(error))) {
          maxConnections = Math.max(
            1,
            Math.min(maxConnections, open - DESCRIPTOR_RESERVE),
          );
        }
        await new Promise((resolve) => setTimeout(resolve, ACCEPT_PAUSE_MS));
        continue;
      }
      const refused = open >= maxConnections;
      if (refused && turnedAway >= MAX_REFUSED) {
        conn.close();
        continue;
      }
      if (refused) turnedAway++;
      else open++;
      const served = serveConnection(conn, refused);
      busy.add(served);
      void served.finally(() => {
        busy.delete(served);
        if (refused) turnedAway--;
        else open--;
      });
    }
  }

  const accepting = acceptLoop();
  return {
    addr: listener.addr as Deno.NetAddr,
    async shutdown() {
      closing = true;
      listener.close();
      await accepting;
      // Idle connections wait a moment more, for answers still being sent.
      setTimeout(() => {
        for (const end of enders) end();
      }, SHUTDOWN_GRACE_MS);
      await Promise.all(busy);
    },
  };
}

/** Asks the client to close the connection after this answer. */
function endAfter(response: Response): void {
  try {
    response.headers.set("connection", "close");
  } catch {
    // Immutable headers (Response.error()); the grace period ends it.
  }
}
