/**
 * {@linkcode SecretStore}: secret values, sealed under the server key.
 *
 * @module
 */

import type { Database, Row } from "../db/database.ts";
import type { Secret, SecretStore } from "../store.ts";
import { toPage } from "./rows.ts";

/** The secret operations over `db`. */
export function secretStore(db: Database): SecretStore {
  return {
    putSecret(tenantId, name, sealedValue) {
      const now = new Date().toISOString();
      return db.transaction(async () => {
        await db.run(
          `INSERT INTO secrets (tenant_id, name, sealed_value, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (tenant_id, name) DO UPDATE SET sealed_value = excluded.sealed_value,
             updated_at = excluded.updated_at`,
          tenantId,
          name,
          sealedValue,
          now,
          now,
        );
        return toSecret(
          (await db.get(
            "SELECT * FROM secrets WHERE tenant_id = ? AND name = ?",
            tenantId,
            name,
          ))!,
        );
      });
    },

    async sealedSecret(tenantId, name) {
      return (await db.get<{ sealed_value: string }>(
        "SELECT sealed_value FROM secrets WHERE tenant_id = ? AND name = ?",
        tenantId,
        name,
      ))?.sealed_value;
    },

    async pageSecrets(tenantId, filter) {
      // Names are unique in a tenant: the cursor's id is the last name.
      const rows = await db.all(
        `SELECT name, created_at, updated_at FROM secrets
         WHERE tenant_id = ? AND (? IS NULL OR name > ?)
         ORDER BY name LIMIT ?`,
        tenantId,
        filter.after?.id ?? null,
        filter.after?.id ?? null,
        filter.limit + 1,
      );
      return toPage(rows, filter.limit, toSecret, (row) => ({
        key: 0,
        id: row.name as string,
      }));
    },

    async deleteSecret(tenantId, name) {
      return (await db.run(
        "DELETE FROM secrets WHERE tenant_id = ? AND name = ?",
        tenantId,
        name,
      )).changes === 1;
    },
  };
}

function toSecret(row: Row): Secret {
  return {
    name: row.name as string,
    createdAt: row.created_at as string,
    updatedAt: row.updated_at as string,
  };
}
