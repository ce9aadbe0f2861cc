/**
 * The active-client scope, on `AsyncLocalStorage`: code deep in a call tree
 * can use "the current user's client" without passing it down, and
 * concurrent users in one process never see each other's client.
 *
 * - `client.session(fn)` makes a client active for `fn` and everything it starts.
 * - {@linkcode getActiveClient} reads it; {@linkcode getOrCreateClient} and
 *   {@linkcode injectClient} fall back to a client from the environment.
 * - {@linkcode withRequestClient} gives every request of a `Deno.serve` or
 *   Deno Deploy handler a fresh scope with its own client.
 *
 * Deno 2.9 can leak a scope into the root context after a first-time dynamic
 * `import()` inside it. An ended scope is therefore never taken for a live
 * one, and request handlers should use {@linkcode withRequestClient}, which
 * starts every request from a clean scope whatever leaked before.
 *
 * @example
 * ```ts
 * import { Client } from "./client.ts";
 * import { Credentials } from "../auth/credentials.ts";
 * import { getActiveClient } from "./context.ts";
 *
 * const client = new Client({ credentials: new Credentials({ token: "t" }), config: { envFile: false, env: {} } });
 * await client.session(() => {
 *   console.assert(getActiveClient() === client);
 * });
 * console.assert(getActiveClient() === undefined);
 * ```
 *
 * @module
 */

import { Client } from "./client.ts";
import { InvalidArgumentError } from "../errors.ts";
import { Credentials } from "../auth/credentials.ts";
import {
  type Config,
  isConfig,
  loadConfig,
  type LoadConfigOptions,
} from "../config/config.ts";
import { activeInScope, runInScope } from "./_scope.ts";

/**
 * The client of the current `session()`, or `undefined` outside one.
 *
 * @returns The active client, or `undefined`.
 *
 * @example
 * ```ts
 * import { getActiveClient } from "./context.ts";
 *
 * console.assert(getActiveClient() === undefined);
 * ```
 */
export function getActiveClient(): Client | undefined {
  return activeInScope<Client>();
}

/**
 * The client to use: the given one, else the active one, else a new one
 * from `loadConfig()` and `{ useEnv: true }` credentials. The flag says
 * whether the client was found (`true`) or created (`false`); the caller owns
 * a created client and must close it.
 *
 * @param client A client to use as is.
 * @returns The client, and whether it was found rather than created.
 * @throws {ConfigError} When a client must be created and the environment
 * holds no usable credentials; the message says which variables to set.
 *
 * @example
 * ```ts
 * import { getOrCreateClient } from "./context.ts";
 * import { Client } from "./client.ts";
 * import { Credentials } from "../auth/credentials.ts";
 *
 * const mine = new Client({ credentials: new Credentials({ token: "t" }), config: { envFile: false, env: {} } });
 * const [client, found] = getOrCreateClient(mine);
 * console.assert(client === mine && found);
 * ```
 */
export function getOrCreateClient(client?: Client): [Client, boolean] {
  if (client !== undefined) return [client, true];
  const active = getActiveClient();
  if (active !== undefined) return [active, true];
  return [
    new Client({
      credentials: new Credentials({ useEnv: true }),
      config: loadConfig(),
    }),
    false,
  ];
}

/** The options object that an injected function takes last. */
export interface ClientOption {
  /** The client to use; absent, the active one or a new one. */
  client?: Client;
}

/**
 * Wraps an async function whose last parameter is an options object with an
 * optional `client`. The wrapper passes the caller's client, else the active
 * one, else a new one from the environment that it closes afterwards; it never
 * closes a client it did not create. Declare the options parameter without a
 * default value (`options?: ...`), so that `fn.length` counts it.
 *
 * @typeParam A The parameters before the options.
 * @typeParam O The options type.
 * @typeParam R What the function resolves to.
 * @param fn The function to wrap.
 * @returns The wrapped function, with the same parameters.
 *
 * @example
 * ```ts
 * import { injectClient } from "./context.ts";
 * import { Client } from "./client.ts";
 * import { Credentials } from "../auth/credentials.ts";
 *
 * const describe = injectClient(
 *   async (name: string, options?: { client?: Client }) => `${name}: ${options!.client!.credentials.mode}`,
 * );
 * const client = new Client({ credentials: new Credentials({ token: "t" }), config: { envFile: false, env: {} } });
 * console.assert(await client.session(() => describe("x")) === "x: token");
 * ```
 */
export function injectClient<A extends unknown[], O extends ClientOption, R>(
  fn: (...args: [...A, O?]) => Promise<R>,
): (...args: [...A, O?]) => Promise<R> {
  const optionsIndex = fn.length - 1;
  if (optionsIndex < 0) {
    throw new InvalidArgumentError(
      "injectClient needs a function whose last parameter is an options object: declare it as options?: { client?: Client }",
    );
  }
  return async function injected(...args: [...A, O?]): Promise<R> {
    const given = args[optionsIndex];
    if (given !== undefined && (typeof given !== "object" || given === null)) {
      throw new InvalidArgumentError(
        `Argument ${
          optionsIndex + 1
        } must be an options object such as { client }`,
      );
    }
    const options = (given ?? {}) as O;
    const [client, found] = getOrCreateClient(options.client);
    const callArgs = [...args] as unknown[];
    callArgs[optionsIndex] = { ...options, client };
    try {
      return await fn(...callArgs as [...A, O?]);
    } finally {
      if (!found) await client.close();
    }
  };
}

/** Options for {@linkcode withRequestClient}. */
export interface WithRequestClientOptions {
  /**
   * The credentials of a request, or `undefined` to run it with no active
   * client (an anonymous request).
   */
  credentials: (request: Request) => Credentials | undefined;
  /**
   * The config every request's client uses, loaded once.
   *
   * @default {loadConfig()}
   */
  config?: Config | LoadConfigOptions;
  /** The `fetch` every request's client uses. */
  fetch?: typeof fetch;
}

/**
 * Wraps a `Deno.serve` or Deno Deploy handler so that each request runs in a
 * fresh scope with its own client, built from that request's credentials,
 * and closed when the handler's promise settles. Whatever scope may have
 * leaked into the root context, a handler sees only its own request's
 * client, or explicitly none.
 *
 * @typeParam I The handler's second argument (`Deno.ServeHandlerInfo`).
 * @param handler The request handler.
 * @param options How to get a request's credentials, and the shared config.
 * @returns The wrapped handler.
 *
 * @example
 * ```ts
 * import { withRequestClient } from "./context.ts";
 * import { Credentials } from "../auth/credentials.ts";
 *
 * const handler = withRequestClient(() => new Response("ok"), {
 *   credentials: (request) => {
 *     const token = request.headers.get("authorization")?.replace(/^Bearer /, "");
 *     return token ? new Credentials({ token }) : undefined;
 *   },
 *   config: { envFile: false, env: {} },
 * });
 * const response = await handler(new Request("http://localhost/"), undefined);
 * console.assert(response.status === 200);
 * ```
 */
export function withRequestClient<I = unknown>(
  handler: (request: Request, info: I) => Response | Promise<Response>,
  options: WithRequestClientOptions,
): (request: Request, info: I) => Promise<Response> {
  if (typeof options?.credentials !== "function") {
    throw new InvalidArgumentError(
      "withRequestClient needs options.credentials: a function from a Request to Credentials or undefined",
    );
  }
  const config = isConfig(options.config)
    ? options.config
    : loadConfig(options.config);
  return async function requestScoped(request, info) {
    const credentials = options.credentials(request);
    if (credentials === undefined) {
      return await runInScope(undefined, () => handler(request, info));
    }
    const client = new Client({ credentials, config, fetch: options.fetch });
    try {
      return await runInScope(client, () => handler(request, info));
    } finally {
      await client.close();
    }
  };
}
