/**
 * A fault-injecting HTTP/1.1 proxy on raw TCP, for tests of what a client
 * survives: refused connections, delays, answers cut off or lost after the
 * server did the work. It reads whole messages, so keep-alive connections
 * work, and every request can get its own fault.
 *
 * @module
 */

/** A small, fast, seeded PRNG (mulberry32): the same seed, the same numbers. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return function next(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** What the proxy can do to one request. */
export type FaultKind = "refuse" | "delay" | "reset" | "drop";

/** Every fault kind. */
export const FAULT_KINDS: readonly FaultKind[] = [
  "refuse",
  "delay",
  "reset",
  "drop",
];

/** Options for {@linkcode startFaultProxy}. */
export interface FaultProxyOptions {
  /** The origin to forward to. */
  target: URL;
  /**
   * The share of requests that get a fault, 0 to 1.
   *
   * @default {0}
   */
  rate?: number;
  /**
   * The PRNG seed.
   *
   * @default {1}
   */
  seed?: number;
  /**
   * The faults to pick from, uniformly.
   *
   * @default {FAULT_KINDS}
   */
  kinds?: readonly FaultKind[];
  /**
   * The range of a `delay` fault, in milliseconds.
   *
   * @default {[50, 300]}
   */
  delayMs?: readonly [number, number];
  /**
   * The port to listen on; `0` picks one.
   *
   * @default {0}
   */
  port?: number;
  /**
   * Decides the fault of each request from its head (request line and
   * headers), instead of `rate`: for a test that needs one fault on one
   * request.
   */
  faultFor?: (head: string) => FaultKind | undefined;
}

/** A running fault proxy. */
export interface FaultProxy extends AsyncDisposable {
  /** The proxy's origin, such as `http://127.0.0.1:41234/`. */
  readonly url: URL;
  /** Requests read from clients, faulty or not. */
  readonly requests: number;
  /** Requests whose answer was relayed whole. */
  readonly relayed: number;
  /** Faults injected, by kind. */
  readonly faults: Readonly<Record<FaultKind, number>>;
  /** Whether the proxy is listening. */
  readonly listening: boolean;
  /** Stops listening and closes every open connection; `start()` resumes on the same port. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): void;
  /** Stops for good. */
  close(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const HEAD_END = encoder.encode("\r\n\r\n");
const MAX_HEAD = 64 * 1024;
const LAST_CHUNK = encoder.encode("\r\n0\r\n\r\n");
const FIRST_LAST = encoder.encode("0\r\n\r\n");

/** Buffers bytes from a connection so whole HTTP messages can be cut out. */
class MessageReader {
  #conn: Deno.Conn;
  #buffer = new Uint8Array(0);
  #chunk = new Uint8Array(64 * 1024);

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** Whether bytes are buffered that no message took yet. */
  get pending(): boolean {
    return this.#buffer.length > 0;
  }

  async #fill(): Promise<boolean> {
    let n: number | null;
    try {
      n = await this.#conn.read(this.#chunk);
    } catch {
      return false;
    }
    if (n === null) return false;
    const joined = new Uint8Array(this.#buffer.length + n);
    joined.set(this.#buffer);
    joined.set(this.#chunk.subarray(0, n), this.#buffer.length);
    this.#buffer = joined;
    return true;
  }

  #take(length: number): Uint8Array {
    const taken = this.#buffer.slice(0, length);
    this.#buffer = this.#buffer.slice(length);
    return taken;
  }

  /**
   * Reads one whole message: its head, and a body by `Content-Length` or
   * chunked encoding. `undefined` when the peer closed first.
   */
  async message(
    kind: "request" | "response",
    requestMethod = "GET",
  ): Promise<{ head: string; bytes: Uint8Array } | undefined> {
    let end = -1;
    for (let reads = 0; end < 0; reads++) {
      end = indexOf(this.#buffer, HEAD_END);
      if (end >= 0) break;
      if (this.#buffer.length > MAX_HEAD || reads > 10_000) return undefined;
      if (!await this.#fill()) return undefined;
    }
    const headLength = end + HEAD_END.length;
    const head = decoder.decode(this.#buffer.subarray(0, end));
    const status = kind === "response" ? Number(head.slice(9, 12)) : undefined;
    const noBody = status !== undefined &&
      (status === 204 || status === 304 || status < 200 ||
        requestMethod === "HEAD");
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
    const chunked = /\r\ntransfer-encoding:[^\r]*chunked/i.test(head);
    if (noBody || (length === undefined && !chunked)) {
      if (kind === "response" && !noBody && length === undefined) {
        // No length: the body runs until the server closes.
        while (await this.#fill());
        return { head, bytes: this.#take(this.#buffer.length) };
      }
      return { head, bytes: this.#take(headLength) };
    }
    if (length !== undefined) {
      const total = headLength + Number(length);
      while (this.#buffer.length < total) {
        if (!await this.#fill()) return undefined;
      }
      return { head, bytes: this.#take(total) };
    }
    // Chunked: good enough for the servers here, which end with "0\r\n\r\n".
    for (let reads = 0; reads < 100_000; reads++) {
      const body = this.#buffer.subarray(headLength);
      const end = indexOf(body, LAST_CHUNK);
      if (end >= 0 || indexOf(body.subarray(0, 5), FIRST_LAST) === 0) {
        const last = end >= 0 ? end + LAST_CHUNK.length : FIRST_LAST.length;
        return { head, bytes: this.#take(headLength + last) };
      }
      if (!await this.#fill()) return undefined;
    }
    return undefined;
  }
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    written += await conn.write(bytes.subarray(written));
  }
}

/**
 * Starts an HTTP/1.1 proxy on 127.0.0.1 that reads each request whole and,
 * at `rate`, injects one fault picked by a seeded PRNG:
 *
 * - `refuse`: closes the client's connection at once; the server never sees
 *   the request.
 * - `delay`: waits `delayMs` before forwarding.
 * - `reset`: forwards the request, relays only part of the answer (somewhere
 *   in its head or body), then closes.
 * - `drop`: forwards the request, reads and discards the answer, then closes:
 *   the work is done but the client never hears of it.
 */
export function startFaultProxy(options: FaultProxyOptions): FaultProxy {
  const rate = options.rate ?? 0;
  const random = seededRandom(options.seed ?? 1);
  const kinds = options.kinds ?? FAULT_KINDS;
  const [minDelay, maxDelay] = options.delayMs ?? [50, 300];
  const faults: Record<FaultKind, number> = {
    refuse: 0,
    delay: 0,
    reset: 0,
    drop: 0,
  };
  let requests = 0;
  let relayed = 0;
  let listener: Deno.TcpListener | undefined;
  let accepting: Promise<void> | undefined;
  let stopping = new AbortController();
  const open = new Set<Deno.Conn>();
  const tasks = new Set<Promise<void>>();
  const closeConn = (conn: Deno.Conn | undefined) => {
    if (conn === undefined || !open.delete(conn)) return;
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  };
  const sleep = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
    });

  async function handle(client: Deno.Conn, signal: AbortSignal) {
    let upstream: Deno.Conn | undefined;
    let upstreamReader: MessageReader | undefined;
    const clientReader = new MessageReader(client);
    try {
      for (let served = 0; served < 100_000 && !signal.aborted; served++) {
        const request = await clientReader.message("request");
        if (request === undefined || signal.aborted) return;
        requests++;
        const method = request.head.slice(0, request.head.indexOf(" "));
        const fault = options.faultFor
          ? options.faultFor(request.head)
          : random() < rate
          ? kinds[Math.floor(random() * kinds.length)]
          : undefined;
        if (fault !== undefined) faults[fault]++;
        if (fault === "refuse") return;
        if (fault === "delay") {
          await sleep(minDelay + random() * (maxDelay - minDelay), signal);
          if (signal.aborted) return;
        }
        if (upstream === undefined) {
          upstream = await Deno.connect({
            hostname: options.target.hostname,
            port: Number(options.target.port),
          });
          open.add(upstream);
          upstreamReader = new MessageReader(upstream);
        }
        await writeAll(upstream, request.bytes);
        const response = await upstreamReader!.message("response", method);
        if (response === undefined) return;
        if (fault === "drop") return;
        if (fault === "reset") {
          const cut = 1 +
            Math.floor(random() * Math.max(1, response.bytes.length - 1));
          await writeAll(client, response.bytes.subarray(0, cut));
          return;
        }
        await writeAll(client, response.bytes);
        relayed++;
        if (/\r\nconnection:\s*close/i.test(response.head)) return;
      }
    } catch {
      // A side closed.
    } finally {
      closeConn(upstream);
      closeConn(client);
    }
  }

  let port = options.port ?? 0;
  const start = () => {
    if (listener !== undefined) return;
    const current = Deno.listen({ hostname: "127.0.0.1", port });
    listener = current;
    port = (current.addr as Deno.NetAddr).port;
    stopping = new AbortController();
    const signal = stopping.signal;
    accepting = (async () => {
      try {
        for await (const conn of current) {
          open.add(conn);
          const task = handle(conn, signal);
          tasks.add(task);
          task.finally(() => tasks.delete(task));
        }
      } catch {
        // The listener closed.
      }
    })();
  };
  const stop = async () => {
    const current = listener;
    if (current === undefined) return;
    listener = undefined;
    stopping.abort();
    try {
      current.close();
    } catch {
      // Already closed.
    }
    for (const conn of [...open]) closeConn(conn);
    await accepting;
    await Promise.allSettled([...tasks]);
  };
  start();
  const url = new URL(`http://127.0.0.1:${port}/`);
  return {
    url,
    get requests() {
      return requests;
    },
    get relayed() {
      return relayed;
    },
    faults,
    get listening() {
      return listener !== undefined;
    },
    start,
    stop,
    close: stop,
    [Symbol.asyncDispose]: stop,
  };
}
