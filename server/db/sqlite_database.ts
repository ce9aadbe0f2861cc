/**
 * {@linkcode Database} on SQLite (`node:sqlite`). The driver is synchronous
 * and one connection serves every request, so transactions take turns: one
 * holds the connection from `BEGIN IMMEDIATE` to `COMMIT` (across its
 * `await`s), and a statement outside it waits for its end rather than
 * slipping into it.
 *
 * @module
 */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import {
  AmbientTransaction,
  type Database,
  type Row,
  type SqlValue,
} from "./database.ts";
import { migrate } from "../migrations.ts";

/** A SQLite file (or `":memory:"`), migrated to the newest schema. */
export class SqliteDatabase implements Database {
  readonly dialect = "sqlite";
  readonly forUpdate = "";
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  /** The savepoint depth of the current transaction. */
  readonly #current = new AmbientTransaction<number>();
  #busy = false;
  readonly #waiting: Array<() => void> = [];

  /**
   * Opens (creating if needed) and migrates a database.
   *
   * @param path A file path, or `":memory:"`.
   */
  constructor(path: string) {
    this.#db = new DatabaseSync(path);
    this.#db.exec("PRAGMA journal_mode = WAL");
    // NORMAL in WAL mode keeps every commit across a process crash (kill -9);
    // only an OS crash or power loss can drop the last few.
    this.#db.exec("PRAGMA synchronous = NORMAL");
    this.#db.exec("PRAGMA foreign_keys = ON");
    this.#db.exec("PRAGMA busy_timeout = 5000");
    migrate(this.#db);
  }

  settled(): string {
    return "1 = 1";
  }

  jsonArray(value: string, orderBy: string): string {
    return `json_group_array(json(${value}) ORDER BY ${orderBy})`;
  }

  get<T = Row>(sql: string, ...params: SqlValue[]): Promise<T | undefined> {
    return this.#use(() => this.#statement(sql).get(...params) as T);
  }

  all<T = Row>(sql: string, ...params: SqlValue[]): Promise<T[]> {
    return this.#use(() => this.#statement(sql).all(...params) as T[]);
  }

  run(sql: string, ...params: SqlValue[]): Promise<{ changes: number }> {
    return this.#use(() => ({
      changes: Number(this.#statement(sql).run(...params).changes),
    }));
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    const depth = this.#current.current();
    if (depth !== undefined) {
      const name = `s${depth}`;
      this.#control(`SAVEPOINT ${name}`);
      try {
        const result = await this.#current.run(depth + 1, fn);
        this.#control(`RELEASE ${name}`);
        return result;
      } catch (error) {
        this.#control(`ROLLBACK TO ${name}`);
        this.#control(`RELEASE ${name}`);
        throw error;
      }
    }
    await this.#acquire();
    try {
      this.#control("BEGIN IMMEDIATE");
      try {
        const result = await this.#current.run(1, fn);
        this.#control("COMMIT");
        return result;
      } catch (error) {
        if (this.#db.isTransaction) this.#control("ROLLBACK");
        throw error;
      }
    } finally {
      this.#release();
    }
  }

  lock(): Promise<void> {
    return Promise.resolve();
  }

  tryLock(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
    return Promise.resolve();
  }

  /** Runs a statement now, in the current transaction or between two. */
  async #use<T>(statement: () => T): Promise<T> {
    if (this.#current.current() !== undefined || !this.#busy) {
      return statement();
    }
    await this.#acquire();
    try {
      return statement();
    } finally {
      this.#release();
    }
  }

  async #acquire(): Promise<void> {
    if (!this.#busy) {
      this.#busy = true;
      return;
    }
    // The releaser hands the connection over without clearing #busy.
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#busy = false;
  }

  /**
   * Runs a transaction control statement, prepared once: `exec` would
   * compile it again on every request that writes.
   */
  #control(sql: string): void {
    this.#statement(sql).run();
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}
