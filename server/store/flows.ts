/**
 * {@linkcode FlowStore}: projects and flow versions.
 *
 * @module
 */

import type { Database, Row } from "../db/database.ts";
import { uuidV7 } from "../ids.ts";
import { toPage } from "./rows.ts";
import {
  type Flow,
  type FlowStore,
  type Project,
  StoreError,
} from "../store.ts";

/** The project and flow operations over `db`. */
export function flowStore(db: Database): FlowStore {
  const flow = async (tenantId: string, id: string) => {
    const row = await db.get(
      "SELECT * FROM flows WHERE tenant_id = ? AND id = ?",
      tenantId,
      id,
    );
    return row && toFlow(row);
  };

  return {
    async createProject(tenantId, input) {
      const project: Project = {
        id: uuidV7(),
        name: input.name,
        description: input.description,
        createdAt: new Date().toISOString(),
      };
      const { changes } = await db.run(
        `INSERT INTO projects (id, tenant_id, name, description, created_at)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, name) DO NOTHING`,
        project.id,
        tenantId,
        project.name,
        project.description,
        project.createdAt,
      );
      if (changes === 0) {
        throw new StoreError("conflict", "A project with this name exists");
      }
      return project;
    },

    async project(tenantId, id) {
      const row = await db.get(
        "SELECT * FROM projects WHERE tenant_id = ? AND id = ?",
        tenantId,
        id,
      );
      return row && toProject(row);
    },

    async pageProjects(tenantId, filter) {
      // Projects have no sequence: the cursor holds the last creation time
      // (in ms, stored as its ISO string) and id.
      const after = filter.after === undefined
        ? null
        : new Date(filter.after.key).toISOString();
      const rows = await db.all(
        `SELECT * FROM projects WHERE tenant_id = ? AND (? IS NULL OR name = ?)
           AND (? IS NULL OR created_at > ? OR (created_at = ? AND id > ?))
         ORDER BY created_at, id LIMIT ?`,
        tenantId,
        filter.name ?? null,
        filter.name ?? null,
        after,
        after,
        after,
        filter.after?.id ?? null,
        filter.limit + 1,
      );
      return toPage(rows, filter.limit, toProject, (row) => ({
        key: Date.parse(row.created_at as string),
        id: row.id as string,
      }));
    },

    async deleteProject(tenantId, id) {
      return (await db.run(
        "DELETE FROM projects WHERE tenant_id = ? AND id = ?",
        tenantId,
        id,
      )).changes === 1;
    },

    createFlow(tenantId, input) {
      return db.transaction(async () => {
        // Registrations of one flow name take turns across instances, so
        // each reads the version the previous one wrote.
        await db.lock(
          `runplane:flow\n${tenantId}\n${input.projectId}\n${input.name}`,
        );
        if (
          !await db.get(
            "SELECT 1 FROM projects WHERE tenant_id = ? AND id = ?",
            tenantId,
            input.projectId,
          )
        ) {
          throw new StoreError("not_found", "Project not found");
        }
        const latest = await db.get<
          { version: number; version_group_id: string }
        >(
          `SELECT version, version_group_id FROM flows
           WHERE tenant_id = ? AND project_id = ? AND name = ?
           ORDER BY version DESC LIMIT 1`,
          tenantId,
          input.projectId,
          input.name,
        );
        let groupId = latest?.version_group_id ?? input.versionGroupId ??
          uuidV7();
        if (input.versionGroupId !== undefined) {
          const owner = await db.get<{ name: string; project_id: string }>(
            "SELECT name, project_id FROM flows WHERE tenant_id = ? AND version_group_id = ? LIMIT 1",
            tenantId,
            input.versionGroupId,
          );
          const sameFlow = owner === undefined
            ? latest === undefined
            : owner.name === input.name &&
              owner.project_id === input.projectId;
          if (!sameFlow) {
            throw new StoreError(
              "conflict",
              "The version group belongs to another flow",
            );
          }
          groupId = input.versionGroupId;
        }
        const flow: Flow = {
          id: uuidV7(),
          name: input.name,
          projectId: input.projectId,
          version: (latest?.version ?? 0) + 1,
          versionGroupId: groupId,
          archived: false,
          definition: input.definition,
          scheduleActive: input.scheduleActive,
          createdAt: new Date().toISOString(),
        };
        await db.run(
          "UPDATE flows SET archived = 1 WHERE tenant_id = ? AND version_group_id = ?",
          tenantId,
          groupId,
        );
        await db.run(
          `INSERT INTO flows (id, tenant_id, project_id, name, version, version_group_id,
             archived, definition, schedule_active, created_at)
           VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
          flow.id,
          tenantId,
          flow.projectId,
          flow.name,
          flow.version,
          flow.versionGroupId,
          JSON.stringify(flow.definition),
          flow.scheduleActive ? 1 : 0,
          flow.createdAt,
        );
        return flow;
      });
    },

    flow,

    async listFlows(tenantId, projectId) {
      return (await db.all(
        `SELECT * FROM flows WHERE tenant_id = ? AND (? IS NULL OR project_id = ?)
         ORDER BY seq`,
        tenantId,
        projectId ?? null,
        projectId ?? null,
      )).map(toFlow);
    },

    async pageFlows(tenantId, filter) {
      const rows = await db.all(
        `SELECT * FROM flows WHERE tenant_id = ?
           AND (? IS NULL OR project_id = ?) AND (? IS NULL OR name = ?)
           AND (? IS NULL OR seq > ?)
         ORDER BY seq LIMIT ?`,
        tenantId,
        filter.projectId ?? null,
        filter.projectId ?? null,
        filter.name ?? null,
        filter.name ?? null,
        filter.after?.key ?? null,
        filter.after?.key ?? null,
        filter.limit + 1,
      );
      return toPage(rows, filter.limit, toFlow);
    },

    async archiveFlow(tenantId, id) {
      await db.run(
        "UPDATE flows SET archived = 1 WHERE tenant_id = ? AND id = ?",
        tenantId,
        id,
      );
      return flow(tenantId, id);
    },
  };
}

function toProject(row: Row): Project {
  return {
    id: row.id as string,
    name: row.name as string,
    description: row.description as string | null,
    createdAt: row.created_at as string,
  };
}

function toFlow(row: Row): Flow {
  return {
    id: row.id as string,
    name: row.name as string,
    projectId: row.project_id as string,
    version: row.version as number,
    versionGroupId: row.version_group_id as string,
    archived: row.archived === 1,
    definition: JSON.parse(row.definition as string),
    scheduleActive: row.schedule_active === 1,
    createdAt: row.created_at as string,
  };
}
