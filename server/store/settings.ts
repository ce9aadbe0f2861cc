/**
 * {@linkcode SettingsStore}: deployment settings and the background sweep.
 *
 * @module
 */

import type { Database } from "../db/database.ts";
import type { SealedSample, SettingsStore } from "../store.ts";

/** The most log lines one sweep removes. */
const MAX_SWEPT_LOGS = 100_000;

/** The settings operations over `db`. */
export function settingsStore(db: Database): SettingsStore {
  const setting = async (key: string) =>
    (await db.get<{ value: string }>(
      "SELECT value FROM settings WHERE key = ?",
      key,
    ))?.value;
  const setSetting = async (key: string, value: string) => {
    await db.run(
      `INSERT INTO settings (key, value) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      key,
      value,
    );
  };

  /**
   * Removes log lines written before `cutoff`, oldest first, at most
   * {@linkcode MAX_SWEPT_LOGS} sequence numbers a sweep so one sweep never
   * stalls requests (on PostgreSQL `seq` counts transactions, not lines).
   * Lines are found by `seq`, whose times only grow, so this reads only the
   * rows it removes and needs no index on the time.
   */
  const sweepLogs = async (cutoff: string) => {
    const first = (await db.get<{ seq: number }>(
      "SELECT seq FROM logs ORDER BY seq LIMIT 1",
    ))?.seq;
    if (first === undefined) return;
    const kept = (await db.get<{ seq: number }>(
      "SELECT seq FROM logs WHERE seq < ? AND created_at >= ? ORDER BY seq LIMIT 1",
      first + MAX_SWEPT_LOGS,
      cutoff,
    ))?.seq ?? first + MAX_SWEPT_LOGS;
    await db.run("DELETE FROM logs WHERE seq < ?", kept);
  };

  return {
    adminTokenHash: () => setting("admin_token_hash"),
    setAdminTokenHash: (hash) => setSetting("admin_token_hash", hash),
    serverKeyCheck: () => setting("server_key_check"),
    setServerKeyCheck: (check) => setSetting("server_key_check", check),

    async sealedSample(): Promise<SealedSample | undefined> {
      const secret = await db.get<
        { tenant_id: string; name: string; sealed_value: string }
      >("SELECT tenant_id, name, sealed_value FROM secrets LIMIT 1");
      if (secret) {
        return {
          kind: "secret",
          tenantId: secret.tenant_id,
          name: secret.name,
          sealed: secret.sealed_value,
        };
      }
      const key = await db.get<{ access_key: string; sealed_secret: string }>(
        "SELECT access_key, sealed_secret FROM access_keys LIMIT 1",
      );
      return key && {
        kind: "access_key",
        accessKey: key.access_key,
        sealed: key.sealed_secret,
      };
    },

    sweep(now, logRetentionMs) {
      return db.transaction(async () => {
        // Instances sharing a database take turns: one sweeps, the others
        // find the lock taken and leave the work to it.
        if (!await db.tryLock("runplane:sweep")) return;
        await sweepLogs(new Date(now - logRetentionMs).toISOString());
        for (
          const table of [
            "nonces",
            "api_tokens",
            "sessions",
            "access_tokens",
            "refresh_tokens",
            "idempotency",
            "cached_states",
          ]
        ) {
          await db.run(`DELETE FROM ${table} WHERE expires_at <= ?`, now);
        }
        await db.run(
          `UPDATE flow_runs SET idempotency_key = NULL, idempotency_expires_at = NULL
           WHERE idempotency_expires_at <= ?`,
          now,
        );
      });
    },
  };
}
