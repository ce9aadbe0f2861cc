/**
 * {@linkcode Resource}: what every resource shares, the client seam it sends
 * through and the heartbeat that never throws.
 *
 * @module
 */

import type { ResourceClient } from "./types.ts";

/**
 * The base of every resource class: it holds the client it sends through
 * and nothing else of the client.
 *
 * @example A resource of your own on the same seam
 * ```ts
 * import { Resource } from "./resource.ts";
 * import type { ResourceClient } from "./types.ts";
 *
 * class Health extends Resource {
 *   ping(): Promise<boolean> {
 *     return this.heartbeatAt("/health");
 *   }
 * }
 * const fake: ResourceClient = { request: <T>() => Promise.resolve(undefined as T) };
 * console.assert(await new Health(fake).ping());
 * ```
 */
export abstract class Resource {
  /** The client this resource sends through. */
  protected readonly client: ResourceClient;

  /**
   * Wraps a client; reach the usual instance through the client's getter.
   *
   * @param client The client to send through.
   */
  constructor(client: ResourceClient) {
    this.client = client;
  }

  /**
   * Sends a heartbeat `POST` to `path`. Never throws.
   *
   * @param path The heartbeat path below the API root.
   * @returns `true` when the server took it, `false` on any failure.
   */
  protected async heartbeatAt(path: string): Promise<boolean> {
    try {
      await this.client.request("POST", path);
      return true;
    } catch {
      return false;
    }
  }
}
