/**
 * {@linkcode Database} on SQLite (`node:sqlite`). The driver is synchronous
 * and one connection serves every request, so transactions take turns: one
 * holds the connection from its start to its end (across its `await`s), and
 * a statement outside it waits for its end rather than slipping into it.
 *
 * Commits are grouped: a finished transaction hands the connection on
 * without committing, and the group (at most {@linkcode MAX_GROUP} callers)
 * commits once the event loop has turned with the connection free
 * (`setImmediate`, after the I/O that arrived meanwhile, so a lone request
 * waits for no timer), or at once when full. Each
 * transaction is a savepoint of the group's `BEGIN IMMEDIATE`, so one that
 * throws is rolled back alone; and no caller in a group, reader or writer,
 * gets its result before the group's `COMMIT` has succeeded (a failed one
 * fails them all), so nothing is answered from a write that could still be
 * lost. A `COMMIT` writes every page the group changed once: under load
 * that is a fraction of one per transaction.
 *
 * @module
 */

import { DatabaseSync, type StatementSync } from "node:sqlite";
import { setImmediate } from "node:timers";
import {
  AmbientTransaction,
  type Database,
  type JsonArrayQuery,
  type Row,
  type SqlValue,
} from "./database.ts";
import { migrate } from "../migrations.ts";

/** The most callers one commit answers: bounds how long the first waits. */
export const MAX_GROUP = 64;

/** Transactions and statements that commit together. */
class CommitGroup {
  size = 0;
  readonly committed: Promise<void>;
  resolve!: () => void;
  reject!: (error: unknown) => void;

  constructor() {
    this.committed = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // A group whose members all failed alone has no one awaiting it.
    this.committed.catch(() => {});
  }
}

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
  /** The open `BEGIN IMMEDIATE`, while the connection is busy. */
  #group: CommitGroup | undefined;
  /** Whether a commit of the open group is scheduled. */
  #flushing = false;

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

  jsonArray({ value, from, where, orderBy }: JsonArrayQuery): string {
    // Ordered in a subquery, not with the aggregate's own ORDER BY, which
    // sorts in a temporary B-tree on every call (about a fifth of a run's
    // read). SQLite does not flatten an ordered subquery into an aggregate
    // (its flattening rule 16), so the subquery runs as a co-routine that
    // hands the rows over in order: not a documented promise for the
    // aggregate, so the run tests check long histories' order on both engines.
    return `(SELECT json_group_array(json(v)) FROM
      (SELECT ${value} AS v FROM ${from} WHERE ${where} ORDER BY ${orderBy}))`;
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
    let group: CommitGroup;
    let result: T;
    try {
      group = this.#join();
      this.#control("SAVEPOINT g");
      try {
        result = await this.#current.run(1, fn);
        this.#control("RELEASE g");
      } catch (error) {
        // Some failures (a full disk) end the whole transaction: then the
        // group is gone, and its members fail with this error.
        if (this.#db.isTransaction) {
          this.#control("ROLLBACK TO g");
          this.#control("RELEASE g");
        } else {
          this.#group = undefined;
          group.reject(error);
        }
        throw error;
      }
    } finally {
      this.#release();
    }
    await group.committed;
    return result;
  }

  lock(): Promise<void> {
    return Promise.resolve();
  }

  tryLock(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    // Finished transactions waiting for their group's turn are kept.
    if (this.#group && !this.#busy) this.#commit();
    if (this.#db.isOpen) this.#db.close();
    return Promise.resolve();
  }

  /**
   * Runs a statement now, in the current transaction, or alone; when it
   * runs in a commit group, its result waits for the group's commit.
   */
  #use<T>(statement: () => T): Promise<T> {
    // Most statements run at once: no async function, no extra hop.
    if (
      this.#current.current() !== undefined || (!this.#busy && !this.#group)
    ) {
      try {
        return Promise.resolve(statement());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.#useInTurn(statement);
  }

  async #useInTurn<T>(statement: () => T): Promise<T> {
    if (this.#busy) await this.#acquire();
    else this.#busy = true;
    const group = this.#group;
    let result: T;
    try {
      if (group) group.size++;
      result = statement();
    } finally {
      this.#release();
    }
    if (group) await group.committed;
    return result;
  }

  /** The open commit group, beginning one if there is none. */
  #join(): CommitGroup {
    if (!this.#group) {
      this.#control("BEGIN IMMEDIATE");
      this.#group = new CommitGroup();
    }
    this.#group.size++;
    return this.#group;
  }

  async #acquire(): Promise<void> {
    if (!this.#busy) {
      this.#busy = true;
      return;
    }
    // The releaser hands the connection over without clearing #busy.
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /**
   * Hands the connection to the next waiter. A full group commits at once;
   * otherwise the group commits once the event loop has turned with the
   * connection free, so the requests that arrived meanwhile join it.
   */
  #release(): void {
    if (this.#group && this.#group.size >= MAX_GROUP) this.#commit();
    const next = this.#waiting.shift();
    if (next) return next();
    this.#busy = false;
    if (this.#group && !this.#flushing) {
      this.#flushing = true;
      setImmediate(this.#flush);
    }
  }

  readonly #flush = (): void => {
    this.#flushing = false;
    // A holder's release schedules the next try.
    if (!this.#busy && this.#group) this.#commit();
  };

  #commit(): void {
    const group = this.#group!;
    this.#group = undefined;
    try {
      this.#control("COMMIT");
      group.resolve();
    } catch (error) {
      if (this.#db.isTransaction) this.#control("ROLLBACK");
      group.reject(error);
    }
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
