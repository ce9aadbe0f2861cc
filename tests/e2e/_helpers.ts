/**
 * Helpers for the end-to-end tests: a real server on a free port, clients
 * for it, and tenants with users and credentials.
 *
 * @module
 */

import { type ServerOptions, startServer } from "../../server/mod.ts";
import { Client } from "../../client/client.ts";
import type { ClientOptions } from "../../client/client_options.ts";
import { Credentials, type CredentialsInit } from "../../auth/credentials.ts";
import type { Role } from "../../api/mod.ts";
import { engineOptions } from "../_helpers/engine.ts";
import { ADMIN_TOKEN } from "../_helpers/admin_token.ts";

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

/**
 * Starts a server on a free port with an in-memory database (a fresh
 * PostgreSQL one when the suite runs on PostgreSQL), and any other options.
 */
export async function startTestServer(
  options: ServerOptions = {},
): Promise<TestServer> {
  const adminToken = ADMIN_TOKEN;
  const server = await startServer({
    port: 0,
    ...(options.databasePath === undefined ? await engineOptions() : {}),
    adminToken,
    quiet: true,
    ...options,
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
