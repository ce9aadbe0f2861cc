/**
 * {@linkcode Flows}: register flow versions, read, list and archive them.
 *
 * @module
 */

import { Listing } from "./listing.ts";
import {
  optionalBoolean,
  optionalPageSize,
  optionalString,
  requireObject,
  requireString,
  segment,
} from "./_validate.ts";
import { Resource } from "./resource.ts";
import type { ListOptions } from "./types.ts";
import type { CallOptions } from "../request_options.ts";
import type { Flow } from "../../api/mod.ts";

/** What {@linkcode Flows.register} needs. */
export interface RegisterFlowOptions {
  /** The flow's name. */
  name: string;
  /** The project's id. */
  project: string;
  /** The flow's definition, any JSON value. */
  definition?: unknown;
  /**
   * The version group to start or join.
   *
   * @default {the group of the flow's earlier versions, or a new one}
   */
  versionGroupId?: string;
  /**
   * Whether the flow's schedule is active.
   *
   * @default {the server's default}
   */
  setScheduleActive?: boolean;
}

/** What {@linkcode Flows.list} filters on. */
export interface ListFlowsOptions extends ListOptions {
  /** Only the flows of this project (its id). */
  project?: string;
  /** Only the versions of the flow of this exact name, to find it by name. */
  name?: string;
}

/**
 * Flows of the current tenant. Reach it as `client.flows`.
 *
 * @example
 * ```ts
 * import type { Client, Project } from "@runplane/client";
 *
 * async function example(project: Project, client: Client) {
 *   const v1 = await client.flows.register({ name: "etl", project: project.id });
 *   const v2 = await client.flows.register({ name: "etl", project: project.id });
 *   console.assert(v2.version === 2 && v2.versionGroupId === v1.versionGroupId);
 * }
 * ```
 */
export class Flows extends Resource {
  /**
   * Registers a flow. A name that exists in the project makes a new version
   * in the same version group and archives the older versions.
   *
   * @param options The name, project id, and optional definition, version
   * group and schedule switch.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The new flow version, with `id`, `version` and `versionGroupId`.
   * @throws {InvalidArgumentError} When an option is invalid.
   * @throws {NotFoundError} When the project is not in the tenant.
   * @throws {ConflictError} When the version group belongs to another flow.
   *
   * @example
   * ```ts
   * import type { Client, Project } from "@runplane/client";
   *
   * async function example(client: Client, project: Project) {
   *   const flow = await client.flows.register({ name: "etl", project: project.id, definition: { steps: 3 } });
   * }
   * ```
   */
  async register(
    options: RegisterFlowOptions,
    call?: CallOptions,
  ): Promise<Flow> {
    requireObject("options", options);
    requireString("name", options.name);
    requireString("project", options.project);
    optionalString("versionGroupId", options.versionGroupId);
    optionalBoolean("setScheduleActive", options.setScheduleActive);
    return await this.client.request<Flow>("POST", "/flows", {
      ...call,
      body: {
        name: options.name,
        projectId: options.project,
        definition: options.definition,
        versionGroupId: options.versionGroupId,
        setScheduleActive: options.setScheduleActive,
      },
    });
  }

  /**
   * Reads a flow version.
   *
   * @param id The flow's id.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The flow.
   * @throws {NotFoundError} When there is no such flow in the tenant.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(id: string, client: Client) {
   *   const flow = await client.flows.get(id);
   * }
   * ```
   */
  async get(id: string, call?: CallOptions): Promise<Flow> {
    return await this.client.request<Flow>(
      "GET",
      `/flows/${segment("id", id)}`,
      call,
    );
  }

  /**
   * Lists the tenant's flows, archived versions included, oldest first:
   * `await` it for the first page, walk every flow with `for await`, or
   * collect them with `toArray()`.
   *
   * @param options An optional project id and flow name to filter on, and
   * the page size.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The flow versions, as a {@linkcode Listing}.
   * @throws {InvalidArgumentError} At once, when an option is invalid.
   *
   * @example
   * ```ts
   * import type { Client, Project } from "@runplane/client";
   *
   * async function example(client: Client, project: Project) {
   *   const flows = await client.flows.list({ project: project.id }).toArray();
   *   for await (const version of client.flows.list({ name: "etl" })) console.log(version.version);
   * }
   * ```
   */
  list(options: ListFlowsOptions = {}, call?: CallOptions): Listing<Flow> {
    requireObject("options", options);
    return new Listing<Flow>(this.client, "/flows", {
      query: {
        projectId: optionalString("project", options.project),
        name: optionalString("name", options.name),
        limit: optionalPageSize(options.limit),
      },
      call,
    });
  }

  /**
   * Archives a flow version.
   *
   * @param id The flow's id.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The archived flow.
   * @throws {NotFoundError} When there is no such flow in the tenant.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(id: string, client: Client) {
   *   const archived = await client.flows.archive(id);
   *   console.assert(archived.archived);
   * }
   * ```
   */
  async archive(id: string, call?: CallOptions): Promise<Flow> {
    return await this.client.request<Flow>(
      "POST",
      `/flows/${segment("id", id)}/archive`,
      call,
    );
  }
}
