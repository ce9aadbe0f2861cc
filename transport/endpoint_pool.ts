/**
 * Client-side failover across several endpoints. A pool remembers the
 * endpoint that last worked, and every client with the same endpoint list
 * shares one pool, so one client's discovery that an endpoint is down saves
 * the others the wait. A new pool starts at a random endpoint to spread
 * processes across them.
 *
 * @module
 */

import { API_PREFIX } from "../api/mod.ts";

/** The endpoints of one list, and which one to try first. */
export class EndpointPool {
  /** The endpoints, in configured order. */
  readonly endpoints: readonly URL[];
  /** The API root below each endpoint, such as `http://h:4200/api/v1`. */
  readonly apiRoots: readonly string[];
  #current: number;

  /**
   * @param endpoints At least one endpoint.
   * @param start The index to try first.
   */
  constructor(endpoints: readonly URL[], start: number) {
    this.endpoints = endpoints;
    this.apiRoots = endpoints.map((endpoint) =>
      endpoint.origin + endpoint.pathname.replace(/\/$/, "") + API_PREFIX
    );
    this.#current = start % endpoints.length;
  }

  /** The index of the endpoint to try first. */
  get current(): number {
    return this.#current;
  }

  /** Makes a working endpoint the first to try. */
  succeeded(index: number): void {
    this.#current = index;
  }

  /** Moves past a failed endpoint, unless another call already has. */
  failed(index: number): void {
    if (this.#current === index) {
      this.#current = (index + 1) % this.endpoints.length;
    }
  }
}

const pools = new Map<string, EndpointPool>();
const MAX_POOLS = 1_000;

/**
 * The pool shared by every client with this endpoint list.
 *
 * @param endpoints The configured endpoints.
 * @returns The shared pool, created on first use.
 */
export function sharedEndpointPool(endpoints: readonly URL[]): EndpointPool {
  const key = endpoints.map((endpoint) => endpoint.href).join(" ");
  let pool = pools.get(key);
  if (pool === undefined) {
    if (pools.size >= MAX_POOLS) pools.clear();
    pool = new EndpointPool(
      endpoints.map((endpoint) => new URL(endpoint.href)),
      Math.floor(Math.random() * endpoints.length),
    );
    pools.set(key, pool);
  }
  return pool;
}
