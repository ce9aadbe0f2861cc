/**
 * {@linkcode Resource}: what every resource shares, the client seam it sends
 * through and the heartbeat that never throws.
 *
 * @module
 */

import type { ResourceClient } from "./types.ts";
import type { CallOptions } from "../request_options.ts";
import { segment } from "./_validate.ts";

/**
 * The base of every resource class: it holds the client it sends through
 * and nothing else of the client.
 *
 * @example A resource of your own on the same seam
 * ```ts
 * import { Resource } from "./resource.ts";
 * import type { ResourceClient } from "./types.ts";
import { segment } from "./_validate.ts";
 *
 * class Workers extends Resource {
 *   heartbeat(id: string): Promise<boolean> {
 *     return this.heartbeatAt("workers", id);
 *   }
 * }
 * const fake: ResourceClient = { request: <T>() => Promise.resolve(undefined as T) };
 * console.assert(await new Workers(fake).heartbeat("w1"));
console.assert(!await new Workers(fake).heartbeat(""));
 * ```
 */
export abstract class Resource {
  /** The client this resource sends through. */
  protected readonly client: ResourceClient;

  /**
   * Wraps a client; reach the usual instance through the client's getter
   * (`client.projects`), never by `new`.
   *
   * @ignore
   * @param client The client to send through.
   */
  constructor(client: ResourceClient) {
    this.client = client;
  }

  /**
   * Sends a heartbeat `POST` to `/<folder>/<id>/heartbeat`. Never throws,
   * not even for a malformed id.
   *
   * @param folder The collection, such as `flow-runs`.
   * @param id The object's id.
   * @param call The call's options.
   * @returns `true` when the server took it, `false` on any failure.
   */
  protected async heartbeatAt(
    folder: string,
    id: string,
    call?: CallOptions,
  ): Promise<boolean> {
    try {
      await this.client.request(
        "POST",
        `/${folder}/${segment("id", id)}/heartbeat`,
        call,
      );
      return true;
    } catch {
      return false;
    }
  }
}
