/**
 * {@linkcode Projects}: create, read, list and delete projects.
 *
 * @module
 */

import { ConflictError, InvalidArgumentError } from "../../errors.ts";
import { collect } from "./listing.ts";
import { requireObject, requireString, segment } from "./_validate.ts";
import { Resource } from "./resource.ts";
import type { Project } from "../../api/mod.ts";

/** What {@linkcode Projects.create} needs. */
export interface CreateProjectOptions {
  /** The name, unique in the tenant. */
  name: string;
  /** A description. */
  description?: string;
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
  async create(options: CreateProjectOptions): Promise<Project> {
    requireObject("options", options);
    requireString("name", options.name);
    if (
      options.description !== undefined &&
      typeof options.description !== "string"
    ) {
      throw new InvalidArgumentError("description must be a string");
    }
    return await this.client.request<Project>("POST", "/projects", {
      body: { name: options.name, description: options.description },
    });
  }

  /**
   * The project of this name, created (with `description`) when the tenant
   * has none. Two callers racing to create it both get the one project.
   *
   * @param options The name, and a description used only when creating.
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
  async getOrCreate(options: CreateProjectOptions): Promise<Project> {
    requireObject("options", options);
    requireString("name", options.name);
    const existing = await this.#find(options.name);
    if (existing !== undefined) return existing;
    try {
      return await this.create(options);
    } catch (error) {
      // Another caller created it between the lookup and the create.
      const raced = error instanceof ConflictError
        ? await this.#find(options.name)
        : undefined;
      if (raced === undefined) throw error;
      return raced;
    }
  }

  async #find(name: string): Promise<Project | undefined> {
    return (await this.list()).find((project) => project.name === name);
  }

  /**
   * Reads a project.
   *
   * @param id The project's id.
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
  async get(id: string): Promise<Project> {
    const path = `/projects/${segment("id", id)}`;
    return await this.client.request<Project>("GET", path);
  }

  /**
   * Lists the tenant's projects.
   *
   * @returns Every project.
   *
   * @example
   * ```ts
   * import type { Client } from "@runplane/client";
   *
   * async function example(client: Client) {
   *   const names = (await client.projects.list()).map((p) => p.name);
   * }
   * ```
   */
  list(): Promise<Project[]> {
    return collect<Project>(this.client, "/projects");
  }

  /**
   * Deletes a project.
   *
   * @param id The project's id.
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
  async delete(id: string): Promise<void> {
    const path = `/projects/${segment("id", id)}`;
    await this.client.request("DELETE", path);
  }
}
