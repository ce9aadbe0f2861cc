/**
 * {@linkcode Database} on PostgreSQL through postgres.js, a pool shared by
 * every request of the process. Loaded only when a PostgreSQL URL is given
 * (see {@linkcode openPostgres}), so SQLite users never load the driver.
 *
 * Several server instances may share the database: rules that read before
 * they write lock what they read (`SELECT ... FOR UPDATE`, advisory locks),
 * and migrations run under an advisory lock.
 *
 * @module
 */

import type postgres from "postgres";
import {
  AmbientTransaction,
  type Database,
  type JsonArrayQuery,
  type Row,
  type SqlValue,
} from "./database.ts";
import { POSTGRES_MIGRATIONS } from "./postgres_migrations.ts";
import type { Migration } from "../migrations.ts";

type Sql = postgres.Sql;
type TransactionSql = postgres.TransactionSql;

/** The connections each instance keeps at most. */
const POOL_SIZE = 10;
/** The advisory lock that migrations run under. */
const MIGRATION_LOCK = "runplane:migrations";

/**
 * Connects to a PostgreSQL database and migrates it, loading the driver.
 *
 * @param url A `postgres://` or `postgresql://` URL.
 * @param migrations The schema to apply; the default is {@linkcode POSTGRES_MIGRATIONS}.
 */
export async function openPostgres(
  url: string,
  migrations: readonly Migration[] = POSTGRES_MIGRATIONS,
): Promise<PostgresDatabase> {
  const { default: connect } = await import("postgres");
  const sql = connect(url, {
    max: POOL_SIZE,
    onnotice: () => {},
    // COUNT(*), identity columns and epoch milliseconds are int8: all fit
    // in a double, and the store compares them as numbers.
    types: {
      bigint: {
        to: 20,
        from: [20],
        serialize: (value: number) => String(value),
        parse: (value: string) => Number(value),
      },
    },
  });
  const database = new PostgresDatabase(sql);
  try {
    await database.migrate(migrations);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

/** A pool of connections to one PostgreSQL database. */
export class PostgresDatabase implements Database {
  readonly dialect = "postgres";
  readonly forUpdate = " FOR UPDATE";
  readonly #sql: Sql;
  /** The connection of the current transaction. */
  readonly #current = new AmbientTransaction<TransactionSql>();
  readonly #texts = new Map<string, string>();

  /** @param sql A postgres.js pool. */
  constructor(sql: Sql) {
    this.#sql = sql;
  }

  settled(column: string): string {
    return `${column} < pg_snapshot_xmin(pg_current_snapshot())::text::bigint`;
  }

  jsonArray({ value, from, where, orderBy }: JsonArrayQuery): string {
    return `(SELECT COALESCE(json_agg(${value}::json ORDER BY ${orderBy})::text, '[]')
      FROM ${from} WHERE ${where})`;
  }

  async get<T = Row>(
    sql: string,
    ...params: SqlValue[]
  ): Promise<T | undefined> {
    return (await this.#query(sql, params))[0] as T | undefined;
  }

  async all<T = Row>(sql: string, ...params: SqlValue[]): Promise<T[]> {
    return [...await this.#query(sql, params)] as T[];
  }

  async run(sql: string, ...params: SqlValue[]): Promise<{ changes: number }> {
    return { changes: (await this.#query(sql, params)).count };
  }

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    const outer = this.#current.current();
    const inside = (sql: TransactionSql) => this.#current.run(sql, fn);
    return (outer
      ? outer.savepoint(inside)
      : this.#sql.begin(inside)) as Promise<
        T
      >;
  }

  async lock(key: string): Promise<void> {
    await this.run("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", key);
  }

  async tryLock(key: string): Promise<boolean> {
    const row = await this.get<{ locked: boolean }>(
      "SELECT pg_try_advisory_xact_lock(hashtextextended(?, 0)) AS locked",
      key,
    );
    return row?.locked === true;
  }

  async close(): Promise<void> {
    await this.#sql.end({ timeout: 5 });
  }

  /**
   * Applies the migrations above the stored version, all in one transaction
   * under an advisory lock: instances starting together take turns, and
   * the later ones find the work done.
   */
  async migrate(migrations: readonly Migration[]): Promise<void> {
    await this.transaction(async () => {
      await this.lock(MIGRATION_LOCK);
      await this.run(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at TEXT NOT NULL
      )`);
      const stored = (await this.get<{ version: number }>(
        "SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations",
      ))!.version;
      const newest = migrations.at(-1)?.version ?? 0;
      if (stored > newest) {
        throw new Error(
          `Database schema version ${stored} is newer than this server supports (${newest})`,
        );
      }
      for (const migration of migrations) {
        if (migration.version <= stored) continue;
        await this.#current.current()!.unsafe(migration.sql);
        await this.run(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
          migration.version,
          migration.name,
          new Date().toISOString(),
        );
      }
    });
  }

  #query(sql: string, params: SqlValue[]) {
    const client = this.#current.current() ?? this.#sql;
    return client.unsafe(this.#text(sql), withoutNul(params), {
      prepare: true,
    });
  }

  /**
   * The statement with `?` numbered as `$1`, `$2`, ...; a parameter only
   * tested for `IS NULL` is typed as text, since PostgreSQL cannot infer it.
   */
  #text(sql: string): string {
    let text = this.#texts.get(sql);
    if (text === undefined) {
      let n = 0;
      text = sql.replace(
        /\?( IS NULL)?/g,
        (_, isNull) => `$${++n}${isNull ? "::text IS NULL" : ""}`,
      );
      this.#texts.set(sql, text);
    }
    return text;
  }
}

/**
 * PostgreSQL text cannot hold U+0000 (SQLite can): a parameter with one is
 * an error, not a value. The character is stored as U+FFFD instead, so a
 * lookup by such a value finds nothing and a write keeps the rest of it.
 * JSON columns are unaffected, since JSON text writes U+0000 as `\u0000`.
 */
function withoutNul(params: SqlValue[]): SqlValue[] {
  if (
    !params.some((value) => typeof value === "string" && value.includes("\0"))
  ) {
    return params;
  }
  return params.map((value) =>
    typeof value === "string" ? value.replaceAll("\0", "\uFFFD") : value
  );
}
