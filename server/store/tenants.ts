/**
 * {@linkcode TenantStore}: tenants, users and memberships.
 *
 * @module
 */

import type { Database, Row } from "../db/database.ts";
import { uuidV7 } from "../ids.ts";
import { toPage } from "./rows.ts";
import {
  type Role,
  StoreError,
  type Tenant,
  type TenantStore,
  type UserRecord,
} from "../store.ts";

/** The tenant operations over `db`. */
export function tenantStore(db: Database): TenantStore {
  return {
    async createTenant(input) {
      const tenant: Tenant = {
        id: uuidV7(),
        slug: input.slug,
        name: input.name,
        createdAt: new Date().toISOString(),
      };
      // ON CONFLICT rather than a check first: two instances may race.
      const { changes } = await db.run(
        `INSERT INTO tenants (id, slug, name, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (slug) DO NOTHING`,
        tenant.id,
        tenant.slug,
        tenant.name,
        tenant.createdAt,
      );
      if (changes === 0) {
        throw new StoreError("conflict", "A tenant with this slug exists");
      }
      return tenant;
    },

    async tenantBySlug(slug) {
      const row = await db.get("SELECT * FROM tenants WHERE slug = ?", slug);
      return row && toTenant(row);
    },

    async tenantById(id) {
      const row = await db.get("SELECT * FROM tenants WHERE id = ?", id);
      return row && toTenant(row);
    },

    async listTenants() {
      return (await db.all("SELECT * FROM tenants ORDER BY seq")).map(
        toTenant,
      );
    },

    async pageTenants(filter) {
      const after = filter.after?.key ?? null;
      const rows = filter.userId === undefined
        ? await db.all(
          "SELECT * FROM tenants WHERE (? IS NULL OR seq > ?) ORDER BY seq LIMIT ?",
          after,
          after,
          filter.limit + 1,
        )
        // A user's tenants page on the membership's sequence, its join order.
        : await db.all(
          `SELECT t.id, t.slug, t.name, t.created_at, m.seq
           FROM memberships m JOIN tenants t ON t.id = m.tenant_id
           WHERE m.user_id = ? AND (? IS NULL OR m.seq > ?)
           ORDER BY m.seq LIMIT ?`,
          filter.userId,
          after,
          after,
          filter.limit + 1,
        );
      return toPage(rows, filter.limit, toTenant);
    },

    async userTenants(userId) {
      return (await db.all(
        `SELECT t.*, m.role FROM memberships m JOIN tenants t ON t.id = m.tenant_id
         WHERE m.user_id = ? ORDER BY m.seq`,
        userId,
      )).map((row) => ({ ...toTenant(row), role: row.role as Role }));
    },

    async userByName(username) {
      const row = await db.get(
        "SELECT * FROM users WHERE username = ?",
        username,
      );
      return row && toUser(row);
    },

    async userById(id) {
      const row = await db.get("SELECT * FROM users WHERE id = ?", id);
      return row && toUser(row);
    },

    createUser(input, tenantId, role) {
      return db.transaction(async () => {
        const user: UserRecord = { id: uuidV7(), ...input };
        const { changes } = await db.run(
          `INSERT INTO users (id, username, password_hash, created_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (username) DO NOTHING`,
          user.id,
          user.username,
          user.passwordHash,
          new Date().toISOString(),
        );
        if (changes === 0) {
          throw new StoreError("conflict", "A user with this username exists");
        }
        await db.run(
          "INSERT INTO memberships (user_id, tenant_id, role) VALUES (?, ?, ?)",
          user.id,
          tenantId,
          role,
        );
        return user;
      });
    },

    async setMembership(userId, tenantId, role) {
      await db.run(
        `INSERT INTO memberships (user_id, tenant_id, role) VALUES (?, ?, ?)
         ON CONFLICT (user_id, tenant_id) DO UPDATE SET role = excluded.role`,
        userId,
        tenantId,
        role,
      );
    },

    removeMembership(userId, tenantId) {
      return db.transaction(async () => {
        const removed = (await db.run(
          "DELETE FROM memberships WHERE user_id = ? AND tenant_id = ?",
          userId,
          tenantId,
        )).changes === 1;
        if (removed) {
          for (
            const table of [
              "api_tokens",
              "access_keys",
              "access_tokens",
              "refresh_tokens",
            ]
          ) {
            await db.run(
              `DELETE FROM ${table} WHERE user_id = ? AND tenant_id = ?`,
              userId,
              tenantId,
            );
          }
        }
        return removed;
      });
    },

    setPassword(userId, passwordHash) {
      return db.transaction(async () => {
        await db.run(
          "UPDATE users SET password_hash = ? WHERE id = ?",
          passwordHash,
          userId,
        );
        for (const table of ["sessions", "access_tokens", "refresh_tokens"]) {
          await db.run(`DELETE FROM ${table} WHERE user_id = ?`, userId);
        }
      });
    },

    async role(userId, tenantId) {
      return (await db.get<{ role: Role }>(
        "SELECT role FROM memberships WHERE user_id = ? AND tenant_id = ?",
        userId,
        tenantId,
      ))?.role;
    },
  };
}

function toTenant(row: Row): Tenant {
  return {
    id: row.id as string,
    slug: row.slug as string,
    name: row.name as string,
    createdAt: row.created_at as string,
  };
}

function toUser(row: Row): UserRecord {
  return {
    id: row.id as string,
    username: row.username as string,
    passwordHash: row.password_hash as string,
  };
}
