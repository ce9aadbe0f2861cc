/**
 * {@linkcode Agents}: register agents and send their heartbeats.
 *
 * @module
 */

import { InvalidArgumentError } from "../../errors.ts";
import { optionalString, requireObject, requireString } from "./_validate.ts";
import { Resource } from "./resource.ts";
import type { CallOptions } from "../request_options.ts";
import type { Agent } from "../../api/mod.ts";

/** What {@linkcode Agents.register} needs. */
export interface RegisterAgentOptions {
  /** The agent's type, such as `"process"`. */
  type: string;
  /** A name for the agent. */
  name?: string;
  /**
   * Labels, string to string.
   *
   * @default {{}}
   */
  labels?: Record<string, string>;
}

/**
 * Agents of the current tenant. Reach it as `client.agents`.
 *
 * @example
 * ```ts
 * import type { Client } from "@runplane/client";
 *
 * async function example(client: Client) {
 *   const agent = await client.agents.register({ type: "process", labels: { pool: "gpu" } });
 *   await client.agents.heartbeat(agent.id);
 * }
 * ```
 */
export class Agents extends Resource {
  /**
   * Registers an agent.
   *
   * @param options The type, and an optional name and labels.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The agent, with its `id`.
   * @throws {InvalidArgumentError} When an option is invalid.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(client: Client) {
   *   const { id } = await client.agents.register({ type: "process", name: "worker-1" });
   * }
   * ```
   */
  async register(
    options: RegisterAgentOptions,
    call?: CallOptions,
  ): Promise<Agent> {
    requireObject("options", options);
    requireString("type", options.type);
    optionalString("name", options.name);
    if (
      options.labels !== undefined &&
      (typeof options.labels !== "object" || options.labels === null ||
        Array.isArray(options.labels) ||
        !Object.values(options.labels).every((v) => typeof v === "string"))
    ) {
      throw new InvalidArgumentError(
        "labels must be an object of string values",
      );
    }
    return await this.client.request<Agent>("POST", "/agents", {
      ...call,
      body: { type: options.type, name: options.name, labels: options.labels },
    });
  }

  /**
   * Tells the server the agent is alive. Never throws.
   *
   * @param id The agent's id.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns `true` when the server took it, `false` on any failure.
   *
   * @example
   * ```ts
   * import type { Agent, Client } from "@runplane/client";
   *
   * async function example(client: Client, agent: Agent) {
   *   const alive = await client.agents.heartbeat(agent.id);
   * }
   * ```
   */
  heartbeat(id: string, call?: CallOptions): Promise<boolean> {
    return this.heartbeatAt("agents", id, call);
  }
}
