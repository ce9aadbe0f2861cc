/**
 * {@linkcode Projects}: create, read, list and delete projects.
 *
 * @module
 */

import { ConflictError, InvalidArgumentError } from "../../errors.ts";
import { Listing } from "./listing.ts";
import {
  optionalPageSize,
  optionalString,
  requireObject,
  requireString,
  segment,
} from "./_validate.ts";
import type { ListOptions } from "./types.ts";
import { Resource } from "./resource.ts";
import type { CallOptions } from "../request_options.ts";
import type { Project } from "../../api/mod.ts";

/** What {@linkcode Projects.create} needs. */
export interface CreateProjectOptions {
  /** The name, unique in the tenant. */
  name: string;
  /** A description. */
  description?: string;
}

/** What {@linkcode Projects.list} filters on, and its page size. */
export interface ListProjectsOptions extends ListOptions {
  /** Only the project of this exact name. */
  name?: string;
}

/**
 * Projects of the current tenant. Reach it as `client.projects`.
 *
 * @example
 * ```ts
 * import type { Client } from "@runplane/client";
 *
 * async function example(client: Client) {
 *   const project = await client.projects.create({ name: "churn" });
 *   await client.projects.delete(project.id);
 * }
 * ```
 */
export class Projects extends Resource {
  /**
   * Creates a project.
   *
   * @param options The name and an optional description.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The new project.
   * @throws {InvalidArgumentError} When an option is invalid.
   * @throws {ConflictError} When the name exists in the tenant.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(client: Client) {
   *   const project = await client.projects.create({ name: "churn", description: "Weekly churn model" });
   * }
   * ```
   */
  async create(
    options: CreateProjectOptions,
    call?: CallOptions,
  ): Promise<Project> {
    requireObject("options", options);
    requireString("name", options.name);
    if (
      options.description !== undefined &&
      typeof options.description !== "string"
    ) {
      throw new InvalidArgumentError("description must be a string");
    }
    return await this.client.request<Project>("POST", "/projects", {
      ...call,
      body: { name: options.name, description: options.description },
    });
  }

  /**
   * The project of this name, created (with `description`) when the tenant
   * has none. Two callers racing to create it both get the one project.
   *
   * @param options The name, and a description used only when creating.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The existing or new project.
   * @throws {InvalidArgumentError} When an option is invalid.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(client: Client) {
   *   const project = await client.projects.getOrCreate({ name: "churn" });
   * }
   * ```
   */
  async getOrCreate(
    options: CreateProjectOptions,
    call?: CallOptions,
  ): Promise<Project> {
    requireObject("options", options);
    requireString("name", options.name);
    const existing = await this.#find(options.name, call);
    if (existing !== undefined) return existing;
    try {
      return await this.create(options, call);
    } catch (error) {
      // Another caller created it between the lookup and the create.
      const raced = error instanceof ConflictError
        ? await this.#find(options.name, call)
        : undefined;
      if (raced === undefined) throw error;
      return raced;
    }
  }

  async #find(
    name: string,
    call: CallOptions | undefined,
  ): Promise<Project | undefined> {
    return (await this.list({ name, limit: 1 }, call)).items[0];
  }

  /**
   * Reads a project.
   *
   * @param id The project's id.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The project.
   * @throws {NotFoundError} When there is no such project in the tenant.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(id: string, client: Client) {
   *   const project = await client.projects.get(id);
   * }
   * ```
   */
  async get(id: string, call?: CallOptions): Promise<Project> {
    const path = `/projects/${segment("id", id)}`;
    return await this.client.request<Project>("GET", path, call);
  }

  /**
   * Lists the tenant's projects, oldest first: `await` it for the first page,
   * walk every project with `for await`, or collect them with `toArray()`.
   *
   * @param options An optional name to look for, and the page size.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @returns The projects, as a {@linkcode Listing}.
   * @throws {InvalidArgumentError} At once, when an option is invalid.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(client: Client) {
   *   const names = (await client.projects.list().toArray()).map((p) => p.name);
   *   const [churn] = (await client.projects.list({ name: "churn" })).items;
   * }
   * ```
   */
  list(
    options: ListProjectsOptions = {},
    call?: CallOptions,
  ): Listing<Project> {
    requireObject("options", options);
    return new Listing<Project>(this.client, "/projects", {
      query: {
        name: optionalString("name", options.name),
        limit: optionalPageSize(options.limit),
      },
      call,
    });
  }

  /**
   * Deletes a project.
   *
   * @param id The project's id.
   * @param call This call's options: signal, timeout, retries, headers, idempotency key.
   * @throws {NotFoundError} When there is no such project in the tenant.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(id: string, client: Client) {
   *   await client.projects.delete(id);
   * }
   * ```
   */
  async delete(id: string, call?: CallOptions): Promise<void> {
    const path = `/projects/${segment("id", id)}`;
    await this.client.request("DELETE", path, call);
  }
}
