/**
 * {@linkcode CredentialStore}: API tokens, keypairs, HMAC nonces, browser
 * sessions, tenant access and refresh tokens, and idempotent answers.
 *
 * @module
 */

import type { Database, Row, SqlValue } from "../db/database.ts";
import { uuidV7 } from "../ids.ts";
import type {
  CredentialFilter,
  CredentialHolder,
  CredentialStore,
  Role,
  TenantGrant,
  TokenPair,
} from "../store.ts";
import { toPage } from "./rows.ts";

/** The credential operations over `db`. */
export function credentialStore(db: Database): CredentialStore {
  const insertPair = async (grant: TenantGrant, pair: TokenPair) => {
    await db.run(
      `INSERT INTO access_tokens (token_hash, family_id, user_id, tenant_id, expires_at)
       VALUES (?, ?, ?, ?, ?)`,
      pair.accessHash,
      grant.familyId,
      grant.userId,
      grant.tenantId,
      pair.accessExpiresAt,
    );
    await db.run(
      `INSERT INTO refresh_tokens (token_hash, family_id, user_id, tenant_id, expires_at)
       VALUES (?, ?, ?, ?, ?)`,
      pair.refreshHash,
      grant.familyId,
      grant.userId,
      grant.tenantId,
      pair.refreshExpiresAt,
    );
  };
  const revokeFamily = async (familyId: string) => {
    await db.run("DELETE FROM access_tokens WHERE family_id = ?", familyId);
    await db.run(
      "UPDATE refresh_tokens SET used = 1 WHERE family_id = ?",
      familyId,
    );
  };

  return {
    async createApiToken(input) {
      const id = uuidV7();
      await db.run(
        `INSERT INTO api_tokens (id, token_hash, name, scope, user_id, tenant_id, created_at,
           expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        id,
        input.tokenHash,
        input.name,
        input.scope,
        input.userId,
        input.tenantId,
        new Date().toISOString(),
        input.expiresAt,
      );
      return id;
    },

    async apiTokenByHash(hash, now) {
      const row = await db.get(
        `SELECT c.id, c.scope, c.user_id, c.tenant_id, ${HOLDER_COLUMNS}
         FROM api_tokens c ${HOLDER_JOINS}
         WHERE c.token_hash = ? AND (c.expires_at IS NULL OR c.expires_at > ?)`,
        hash,
        now,
      );
      return row && {
        id: row.id as string,
        scope: row.scope as "user" | "tenant",
        userId: row.user_id as string,
        tenantId: row.tenant_id as string | null,
        holder: toHolder(row),
      };
    },

    // Listings page by rowid: SQLite's implicit one, an identity column of
    // that name on PostgreSQL.
    async listApiTokens(filter) {
      const where = credentialWhere("t", filter);
      const rows = await db.all(
        `SELECT t.rowid AS seq, t.id, t.name, t.scope, t.created_at, t.expires_at,
           u.username, n.slug
         FROM api_tokens t JOIN users u ON u.id = t.user_id
           LEFT JOIN tenants n ON n.id = t.tenant_id
         WHERE ${where.sql} AND (? IS NULL OR t.rowid < ?)
         ORDER BY t.rowid DESC LIMIT ?`,
        ...where.params,
        filter.after?.key ?? null,
        filter.after?.key ?? null,
        filter.limit + 1,
      );
      return toPage(rows, filter.limit, (row) => ({
        id: row.id as string,
        name: row.name as string,
        scope: row.scope as "user" | "tenant",
        username: row.username as string,
        tenant: row.slug as string | null,
        createdAt: row.created_at as string,
        expiresAt: row.expires_at === null
          ? null
          : new Date(row.expires_at as number).toISOString(),
      }));
    },

    async revokeApiToken(id, filter) {
      const where = credentialWhere("t", filter);
      return (await db.run(
        `DELETE FROM api_tokens WHERE id IN (
           SELECT t.id FROM api_tokens t WHERE t.id = ? AND ${where.sql})`,
        id,
        ...where.params,
      )).changes === 1;
    },

    async createAccessKey(input) {
      await db.run(
        `INSERT INTO access_keys (access_key, sealed_secret, user_id, tenant_id, created_at)
         VALUES (?, ?, ?, ?, ?)`,
        input.accessKey,
        input.sealedSecret,
        input.userId,
        input.tenantId,
        new Date().toISOString(),
      );
    },

    async accessKey(accessKey) {
      const row = await db.get(
        `SELECT c.access_key, c.sealed_secret, c.user_id, c.tenant_id, ${HOLDER_COLUMNS}
         FROM access_keys c ${HOLDER_JOINS} WHERE c.access_key = ?`,
        accessKey,
      );
      return row && {
        accessKey: row.access_key as string,
        sealedSecret: row.sealed_secret as string,
        userId: row.user_id as string,
        tenantId: row.tenant_id as string,
        holder: toHolder(row),
      };
    },

    async listAccessKeys(filter) {
      const where = credentialWhere("k", filter);
      const rows = await db.all(
        `SELECT k.rowid AS seq, k.access_key AS id, k.created_at, u.username, n.slug
         FROM access_keys k JOIN users u ON u.id = k.user_id
           JOIN tenants n ON n.id = k.tenant_id
         WHERE ${where.sql} AND (? IS NULL OR k.rowid < ?)
         ORDER BY k.rowid DESC LIMIT ?`,
        ...where.params,
        filter.after?.key ?? null,
        filter.after?.key ?? null,
        filter.limit + 1,
      );
      return toPage(rows, filter.limit, (row) => ({
        accessKey: row.id as string,
        username: row.username as string,
        tenant: row.slug as string,
        createdAt: row.created_at as string,
      }));
    },

    async revokeAccessKey(accessKey, filter) {
      const where = credentialWhere("k", filter);
      return (await db.run(
        `DELETE FROM access_keys WHERE access_key IN (
           SELECT k.access_key FROM access_keys k WHERE k.access_key = ? AND ${where.sql})`,
        accessKey,
        ...where.params,
      )).changes === 1;
    },

    async useNonce(accessKey, nonce, expiresAt) {
      // One statement: two instances offering the same nonce at once get
      // one insert and one conflict, never an error.
      return (await db.run(
        `INSERT INTO nonces (access_key, nonce, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (access_key, nonce) DO NOTHING`,
        accessKey,
        nonce,
        expiresAt,
      )).changes === 1;
    },

    async createSession(idHash, userId, expiresAt) {
      await db.run(
        "INSERT INTO sessions (id_hash, user_id, expires_at) VALUES (?, ?, ?)",
        idHash,
        userId,
        expiresAt,
      );
    },

    async sessionUser(idHash, now) {
      return (await db.get<{ user_id: string }>(
        "SELECT user_id FROM sessions WHERE id_hash = ? AND expires_at > ?",
        idHash,
        now,
      ))?.user_id;
    },

    async deleteSession(idHash) {
      await db.run("DELETE FROM sessions WHERE id_hash = ?", idHash);
    },

    createTenantTokens(grant, pair) {
      return db.transaction(() => insertPair(grant, pair));
    },

    async accessToken(hash, now) {
      const row = await db.get(
        `SELECT c.user_id, c.tenant_id, c.family_id, ${HOLDER_COLUMNS}
         FROM access_tokens c ${HOLDER_JOINS}
         WHERE c.token_hash = ? AND c.expires_at > ?`,
        hash,
        now,
      );
      return row && { ...toGrant(row), holder: toHolder(row) };
    },

    rotateRefreshToken(hash, next, now) {
      return db.transaction(async () => {
        // Locked: of two instances spending the same token at once, the
        // second sees it used.
        const row = await db.get(
          `SELECT * FROM refresh_tokens WHERE token_hash = ? AND expires_at > ?${db.forUpdate}`,
          hash,
          now,
        );
        if (!row) return undefined;
        const grant = toGrant(row);
        if (row.used) {
          await revokeFamily(grant.familyId);
          return undefined;
        }
        if (
          !await db.get(
            "SELECT 1 FROM memberships WHERE user_id = ? AND tenant_id = ?",
            grant.userId,
            grant.tenantId,
          )
        ) {
          return undefined;
        }
        await db.run(
          "UPDATE refresh_tokens SET used = 1 WHERE token_hash = ?",
          hash,
        );
        await insertPair(grant, next);
        return grant;
      });
    },

    revokeTenantTokens(userId, accessHash, refreshHash) {
      return db.transaction(async () => {
        if (accessHash !== undefined) {
          await db.run(
            "DELETE FROM access_tokens WHERE token_hash = ?",
            accessHash,
          );
        }
        if (refreshHash !== undefined) {
          const row = await db.get<{ family_id: string }>(
            "SELECT family_id FROM refresh_tokens WHERE token_hash = ? AND user_id = ?",
            refreshHash,
            userId,
          );
          if (row) await revokeFamily(row.family_id);
        }
      });
    },

    async idempotentResponse(credential, key, now) {
      await db.lock(`runplane:idempotency\n${credential}\n${key}`);
      const row = await db.get(
        `SELECT fingerprint, status, body FROM idempotency
         WHERE credential = ? AND key = ? AND expires_at > ?`,
        credential,
        key,
        now,
      );
      return row && {
        fingerprint: row.fingerprint as string,
        status: row.status as number,
        body: row.body as string | null,
      };
    },

    async saveIdempotentResponse(credential, key, response, expiresAt) {
      await db.run(
        `INSERT INTO idempotency (credential, key, fingerprint, status, body, expires_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (credential, key) DO UPDATE SET fingerprint = excluded.fingerprint,
           status = excluded.status, body = excluded.body, expires_at = excluded.expires_at`,
        credential,
        key,
        response.fingerprint,
        response.status,
        response.body,
        expiresAt,
      );
    },
  };
}

/**
 * A credential's holder, read in the statement that finds the credential
 * (table alias `c`, with `user_id` and `tenant_id`): one statement per
 * request where a user, a tenant and a role lookup were four. A user
 * deleted since has no row, so the credential no longer works.
 */
const HOLDER_COLUMNS =
  `u.username, n.id AS tenant_row_id, n.slug AS tenant_slug,
  n.name AS tenant_name, n.created_at AS tenant_created_at, m.role AS member_role`;
const HOLDER_JOINS = `JOIN users u ON u.id = c.user_id
  LEFT JOIN tenants n ON n.id = c.tenant_id
  LEFT JOIN memberships m ON m.user_id = c.user_id AND m.tenant_id = c.tenant_id`;

function toHolder(row: Row): CredentialHolder {
  return {
    username: row.username as string,
    access: row.member_role === null || row.member_role === undefined ||
        row.tenant_row_id === null
      ? undefined
      : {
        tenant: {
          id: row.tenant_row_id as string,
          slug: row.tenant_slug as string,
          name: row.tenant_name as string,
          createdAt: row.tenant_created_at as string,
        },
        role: row.member_role as Role,
      },
  };
}

/**
 * The SQL condition (on table alias `alias`, which has `user_id` and
 * `tenant_id`) of the credentials a filter allows, with its parameters.
 */
function credentialWhere(
  alias: string,
  filter: CredentialFilter,
): { sql: string; params: SqlValue[] } {
  const by = filter.managedBy;
  const bound = by?.tenantId ?? null;
  return {
    sql:
      `(? IS NULL OR ${alias}.user_id = ?) AND (? IS NULL OR ${alias}.tenant_id = ?)
      AND (? IS NULL OR (
        (? IS NULL OR ${alias}.tenant_id = ?) AND (${alias}.user_id = ? OR EXISTS (
          SELECT 1 FROM memberships m WHERE m.user_id = ? AND m.tenant_id = ${alias}.tenant_id
            AND m.role = 'admin'))))`,
    params: [
      filter.userId ?? null,
      filter.userId ?? null,
      filter.tenantId ?? null,
      filter.tenantId ?? null,
      by?.userId ?? null,
      bound,
      bound,
      by?.userId ?? null,
      by?.userId ?? null,
    ],
  };
}

function toGrant(row: Row): TenantGrant {
  return {
    userId: row.user_id as string,
    tenantId: row.tenant_id as string,
    familyId: row.family_id as string,
  };
}
