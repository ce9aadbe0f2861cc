/**
 * Helpers for the end-to-end tests: a real server on a free port, clients
 * for it, tenants with users and credentials, and a fault-injecting TCP proxy.
 *
 * @module
 */

import { startServer } from "../../server/mod.ts";
import { Client, type ClientOptions } from "../../client/client.ts";
import { Credentials, type CredentialsInit } from "../../auth/credentials.ts";
import type { Role } from "../../client/resources/types.ts";

/** A running server and its admin client. */
export interface TestServer extends AsyncDisposable {
  /** The server's origin. */
  url: URL;
  /** The bootstrap admin token. */
  adminToken: string;
  /** A client with the admin token and no tenant. */
  admin: Client;
  /** Closes every client made through {@linkcode TestServer.client}, then the server. */
  close(): Promise<void>;
  /** A client for this server, closed with it. */
  client(
    credentials: CredentialsInit,
    options?: ClientExtras,
  ): Client;
}

/** Extra client settings for tests. */
export interface ClientExtras {
  /** The tenant slug for `X-Runplane-Tenant`. */
  tenant?: string;
  /** Endpoints instead of the server's URL. */
  endpoints?: string;
  /** Retries. */
  maxRetries?: number;
  /** Per-attempt timeout. */
  timeoutMs?: number;
  /** A `fetch` to use. */
  fetch?: ClientOptions["fetch"];
}

/** Starts a server on a free port with an in-memory database. */
export async function startTestServer(): Promise<TestServer> {
  const adminToken = `rpadm_${crypto.randomUUID()}`;
  const server = await startServer({
    port: 0,
    databasePath: ":memory:",
    adminToken,
    quiet: true,
  });
  const clients: Client[] = [];
  const client = (credentials: CredentialsInit, extras: ClientExtras = {}) => {
    const made = new Client({
      credentials: new Credentials(credentials),
      config: {
        endpoints: extras.endpoints ?? server.url.href,
        tenant: extras.tenant,
        envFile: false,
        env: {},
        maxRetries: extras.maxRetries ?? 2,
        timeoutMs: extras.timeoutMs ?? 10_000,
      },
      fetch: extras.fetch,
      retryBackoff: { initialDelayMs: 10, maxDelayMs: 50 },
    });
    clients.push(made);
    return made;
  };
  const admin = client({ token: adminToken });
  const close = async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await server.close();
  };
  return {
    url: server.url,
    adminToken,
    admin,
    close,
    client,
    [Symbol.asyncDispose]: close,
  };
}

/** A tenant with one user and a tenant-scoped token client for it. */
export interface TestTenant {
  /** The tenant's slug. */
  slug: string;
  /** The user's name. */
  username: string;
  /** The user's password. */
  password: string;
  /** A client with a tenant-scoped token of the user. */
  client: Client;
}

let counter = 0;

/** A unique lower-case name with a prefix. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
}

/** Creates a tenant and one user with a role, and a tenant-token client. */
export async function createTenant(
  server: TestServer,
  role: Role = "admin",
  slug = uniqueName("t"),
): Promise<TestTenant> {
  await server.admin.tenants.create({ slug, name: `Tenant ${slug}` });
  const username = uniqueName("user");
  const password = `pw-${crypto.randomUUID()}`;
  await server.admin.users.create({ username, password, tenant: slug, role });
  const { token } = await server.admin.apiTokens.create({
    name: "test",
    scope: "tenant",
    username,
    tenant: slug,
  });
  return { slug, username, password, client: server.client({ token }) };
}

/** Asserts that a promise rejects with an instance of `Class`, and returns the error. */
export async function rejectsWith<E extends Error>(
  promise: Promise<unknown> | (() => Promise<unknown>),
  // deno-lint-ignore no-explicit-any
  Class: new (...args: any[]) => E,
): Promise<E> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    if (error instanceof Class) return error;
    throw new Error(
      `Expected ${Class.name}, got ${
        error instanceof Error ? `${error.name}: ${error.message}` : error
      }`,
      { cause: error },
    );
  }
  throw new Error(`Expected ${Class.name}, but the call succeeded`);
}

/** What {@linkcode startFaultProxy} does. */
export interface FaultProxyOptions {
  /** The server to forward to. */
  target: URL;
  /**
   * Decides, per request head, whether to forward the request and then drop
   * the connection without relaying the answer.
   */
  dropResponse: (head: string) => boolean;
}

/** A TCP proxy that can lose answers. */
export interface FaultProxy extends AsyncDisposable {
  /** The proxy's origin. */
  url: URL;
  /** How many answers it dropped. */
  readonly dropped: number;
  /** Closes the listener and every open connection. */
  close(): Promise<void>;
}

/**
 * Starts a TCP proxy on 127.0.0.1 that forwards each connection to the
 * target. When `dropResponse` says so for the first request head on a
 * connection, it forwards the request, waits for the server's answer to
 * begin, and closes both sides without relaying it: the work is done but the
 * client never hears of it.
 */
export function startFaultProxy(options: FaultProxyOptions): FaultProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  const tasks = new Set<Promise<void>>();
  let dropped = 0;
  const decoder = new TextDecoder();

  const track = (conn: Deno.Conn) => {
    open.add(conn);
    return conn;
  };
  const closeConn = (conn: Deno.Conn) => {
    if (!open.delete(conn)) return;
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  };

  async function pipe(from: Deno.Conn, to: Deno.Conn): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await from.read(buffer);
        if (n === null) break;
        await writeAll(to, buffer.subarray(0, n));
      }
    } catch {
      // A side closed.
    }
  }

  async function handle(client: Deno.Conn): Promise<void> {
    let upstream: Deno.Conn | undefined;
    try {
      upstream = track(
        await Deno.connect({
          hostname: options.target.hostname,
          port: Number(options.target.port),
        }),
      );
      // Read the first request head to decide.
      const buffer = new Uint8Array(64 * 1024);
      const n = await client.read(buffer);
      if (n === null) return;
      const first = buffer.slice(0, n);
      const head = decoder.decode(first).split("\r\n\r\n")[0];
      if (options.dropResponse(head)) {
        // Forward the whole request (head and body), then wait for the
        // answer to start and drop both connections.
        await writeAll(upstream, first);
        const forwardRest = pipe(client, upstream);
        const answer = new Uint8Array(1);
        await upstream.read(answer);
        dropped++;
        closeConn(upstream);
        closeConn(client);
        await forwardRest;
        return;
      }
      await writeAll(upstream, first);
      await Promise.all([pipe(client, upstream), pipe(upstream, client)]);
    } catch {
      // A side closed.
    } finally {
      if (upstream !== undefined) closeConn(upstream);
      closeConn(client);
    }
  }

  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        const task = handle(track(conn));
        tasks.add(task);
        task.finally(() => tasks.delete(task));
      }
    } catch {
      // The listener closed.
    }
  })();

  const close = async () => {
    try {
      listener.close();
    } catch {
      // Already closed.
    }
    for (const conn of [...open]) closeConn(conn);
    await accepting;
    await Promise.allSettled([...tasks]);
  };
  const address = listener.addr as Deno.NetAddr;
  return {
    url: new URL(`http://127.0.0.1:${address.port}/`),
    get dropped() {
      return dropped;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    written += await conn.write(bytes.subarray(written));
  }
}
