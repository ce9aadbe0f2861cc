/**
 * Opens the {@linkcode Store}: the store modules over one database, SQLite
 * for a path, PostgreSQL for a `postgres://` URL.
 *
 * @module
 */

import type { Database } from "../db/database.ts";
import { SqliteDatabase } from "../db/sqlite_database.ts";
import type { Store } from "../store.ts";
import { agentStore } from "./agents.ts";
import { credentialStore } from "./credentials.ts";
import { flowStore } from "./flows.ts";
import { logStore } from "./logs.ts";
import { runStore } from "./runs.ts";
import { secretStore } from "./secrets.ts";
import { settingsStore } from "./settings.ts";
import { tenantStore } from "./tenants.ts";

/** Whether `location` names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * Opens and migrates the database at `location`: a `postgres://` or
 * `postgresql://` URL (the driver is loaded only then), else a SQLite file
 * path or `":memory:"`.
 *
 * @param location The database.
 * @returns The store over it; close it when done.
 */
export async function openStore(location: string): Promise<Store> {
  const db: Database = isPostgresUrl(location)
    ? await (await import("../db/postgres_database.ts")).openPostgres(location)
    : new SqliteDatabase(location);
  return storeOver(db);
}

/** The store over an open database. */
export function storeOver(db: Database): Store {
  return {
    ...settingsStore(db),
    ...tenantStore(db),
    ...credentialStore(db),
    ...flowStore(db),
    ...runStore(db),
    ...logStore(db),
    ...secretStore(db),
    ...agentStore(db),
    transaction: (fn) => db.transaction(fn),
    close: () => db.close(),
  };
}
