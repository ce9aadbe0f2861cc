/**
 * The thin database layer under the store: one interface, a SQLite and a
 * PostgreSQL dialect. The store's rules are written once against it; the
 * dialects differ only in how they run a statement, open a transaction, take
 * a lock, and in two SQL fragments ({@linkcode Database.forUpdate},
 * {@linkcode Database.settled}).
 *
 * Statements use `?` placeholders on both engines. A transaction is ambient:
 * every statement issued while {@linkcode Database.transaction}'s callback
 * runs (across `await`s) belongs to it, and a nested call is a savepoint.
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";

/** A value bound to a `?` placeholder. */
export type SqlValue = string | number | null;

/** A row as read: column name to value (64-bit integers as numbers). */
export type Row = Record<string, unknown>;

/** What {@linkcode Database.jsonArray} aggregates, as SQL fragments. */
export interface JsonArrayQuery {
  /** A column holding JSON text. */
  value: string;
  /** The table. */
  from: string;
  /** The rows' condition. */
  where: string;
  /** Their order in the array. */
  orderBy: string;
}

/** A database connection (or pool) of one engine. */
export interface Database {
  /** Which engine this is. */
  readonly dialect: "sqlite" | "postgres";
  /**
   * Appended to a `SELECT` of one row that the transaction will update:
   * ` FOR UPDATE` on PostgreSQL; empty on SQLite, whose write transactions
   * already run one at a time.
   */
  readonly forUpdate: string;
  /**
   * A condition keeping the rows whose `column` (the writing transaction's
   * id on PostgreSQL) is below every transaction still in flight, so a
   * cursor never passes a row that commits later. Always true on SQLite,
   * where writes commit in order.
   */
  settled(column: string): string;
  /**
   * A scalar subquery: the JSON array, as text, of `value` (a column holding
   * JSON text) over the rows of `from` that match `where`, in `orderBy`
   * order, `[]` for none. Stored JSON comes back in one statement, with no
   * per-row parse.
   */
  jsonArray(query: JsonArrayQuery): string;
  /** The first row, or `undefined`. */
  get<T = Row>(sql: string, ...params: SqlValue[]): Promise<T | undefined>;
  /** Every row. */
  all<T = Row>(sql: string, ...params: SqlValue[]): Promise<T[]>;
  /** Runs a statement; `changes` is how many rows it wrote. */
  run(sql: string, ...params: SqlValue[]): Promise<{ changes: number }>;
  /**
   * Runs `fn` in one transaction, committed when it resolves and rolled back
   * when it throws. Called inside another transaction it is a savepoint.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Inside a transaction, waits for the exclusive lock named `key` and holds
   * it until the transaction ends (a PostgreSQL advisory lock; nothing on
   * SQLite, where the transaction is already exclusive).
   */
  lock(key: string): Promise<void>;
  /** Like {@linkcode Database.lock}, but `false` at once when another holds it. */
  tryLock(key: string): Promise<boolean>;
  /** Closes the connection or pool. */
  close(): Promise<void>;
}

/**
 * The transaction an async call chain runs in, for a dialect to find its
 * connection across `await`s. A transaction that has ended no longer
 * counts: work a handler left running after it is outside it.
 */
export class AmbientTransaction<T> {
  readonly #storage = new AsyncLocalStorage<{ value: T; done: boolean }>();

  /** The current transaction's value, or `undefined` outside one. */
  current(): T | undefined {
    const current = this.#storage.getStore();
    return current === undefined || current.done ? undefined : current.value;
  }

  /** Runs `fn` inside a transaction whose value is `value`. */
  run<R>(value: T, fn: () => Promise<R>): Promise<R> {
    const current = { value, done: false };
    return this.#storage.run(current, fn).finally(() => current.done = true);
  }
}
