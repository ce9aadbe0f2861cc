/**
 * Helpers for the end-to-end tests: tenants with a user and a client of
 * its tenant token, on a reference server (`../_helpers/reference_server.ts`).
 *
 * @module
 */

import type { Client } from "../../client/client.ts";
import type { Role } from "../../api/mod.ts";
import type { ReferenceServer } from "../_helpers/reference_server.ts";
import { seedTenant } from "../_helpers/seed.ts";

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

/** Seeds a tenant and one user with a role, and makes a tenant-token client. */
export async function createTenant(
  server: ReferenceServer,
  role: Role = "admin",
  slug = uniqueName("t"),
): Promise<TestTenant> {
  const username = uniqueName("user");
  const seeded = await seedTenant(server, slug, {
    roles: [role],
    username: () => username,
    password: `pw-${crypto.randomUUID()}`,
    tokenName: "test",
  });
  return {
    slug,
    username,
    password: seeded.password,
    client: server.client({ token: seeded.tokens[role] }),
  };
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
