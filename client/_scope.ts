/**
 * The storage behind the active-client scope, and the lazily loaded
 * `AsyncLocalStorage` that the runner's run scope uses too.
 *
 * `node:async_hooks` is imported on the first `run()`, not with the client:
 * importing it starts part of Deno's Node compatibility layer, which cost
 * about 8 ms of CPU in every cold start (measured with `deno task bench`'s
 * cold-start row). A client that never opens a session, nor runs a flow,
 * never pays it. Every `run()` returns a promise, so the one `import()` of a
 * built-in (a literal specifier, which `deno compile` and the JSR graph see)
 * costs an async hop once per process; a store read before any `run()` is
 * empty, as it would be anyway.
 *
 * A scope records when its `session()` ended: Deno 2.9 can leak a store
 * into the root context after a first-time dynamic `import()` inside
 * `run()`, and an ended scope must not be taken for a live one.
 *
 * @module
 */

/** What this module uses of `AsyncLocalStorage`. */
interface Storage<T> {
  run<R>(store: T, fn: () => R): R;
  getStore(): T | undefined;
}

type StorageClass = new <T>() => Storage<T>;

let storageClass: StorageClass | undefined;
let loading: Promise<StorageClass> | undefined;

/** Loads `AsyncLocalStorage` once per process. */
function loadStorageClass(): Promise<StorageClass> {
  loading ??= import("node:async_hooks").then((module) => {
    storageClass = module.AsyncLocalStorage as StorageClass;
    return storageClass;
  });
  return loading;
}

/**
 * An `AsyncLocalStorage` whose module is loaded on the first
 * {@linkcode LazyStorage.run}. Only `run()` sets a store: never
 * `enterWith()`.
 */
export class LazyStorage<T> {
  #storage: Storage<T> | undefined;

  /** The store of the current async context, if any `run()` set one. */
  getStore(): T | undefined {
    return this.#storage?.getStore();
  }

  /** Runs `fn` with `store` in its async context. */
  run<R>(store: T, fn: () => R | Promise<R>): Promise<R> {
    if (this.#storage === undefined && storageClass !== undefined) {
      this.#storage = new storageClass<T>();
    }
    const storage = this.#storage;
    if (storage !== undefined) return Promise.resolve(storage.run(store, fn));
    return loadStorageClass().then((Class) => {
      this.#storage ??= new Class<T>();
      return this.#storage.run(store, fn);
    });
  }
}

/** One active-client scope. */
export interface Scope<C> {
  /** The active client, or `undefined` for an explicitly empty scope. */
  readonly client: C | undefined;
  /** Set when the scope's function has settled. */
  ended: boolean;
}

// deno-lint-ignore no-explicit-any
const storage = new LazyStorage<Scope<any>>();

/**
 * Runs `fn` in a new scope with `client` active, and marks the scope ended
 * when `fn` settles.
 */
export async function runInScope<C, R>(
  client: C | undefined,
  fn: () => R | Promise<R>,
): Promise<R> {
  const scope: Scope<C> = { client, ended: false };
  try {
    return await storage.run(scope, fn);
  } finally {
    scope.ended = true;
  }
}

/** The client of the current scope, unless the scope has ended. */
export function activeInScope<C>(): C | undefined {
  const scope = storage.getStore() as Scope<C> | undefined;
  return scope === undefined || scope.ended ? undefined : scope.client;
}
