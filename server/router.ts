/**
 * The request pipeline every endpoint shares, on top of Hono's routing:
 * authenticate, read the body (capped, and only then), parse JSON, apply the idempotency key, run
 * the handler, and turn its {@linkcode Reply} or error into a response.
 *
 * @module
 */

import type { Context, Hono } from "hono";
import {
  type AuthServices,
  type Principal,
  requireRole,
  resolveTenant,
  type TenantAccess,
} from "./authentication.ts";
import {
  type AuthenticationEnv,
  type AuthenticationVariables,
  requireCaller,
} from "./authentication_middleware.ts";
import {
  MAX_BODY_BYTES,
  MAX_OPEN_BODY_BYTES,
  parseJsonBody,
  readBody,
} from "./body.ts";
import { IdempotencyGuard, jsonResponse, type Reply } from "./idempotency.ts";
import { HttpError, methodNotAllowed, unauthenticated } from "./http_error.ts";
import type { Logger } from "./logger.ts";
import type { RateLimiter } from "./rate_limiter.ts";
import { StoreError } from "./store.ts";
import type { Role } from "../api/mod.ts";
import { Fields, Query } from "./validate.ts";

/** What handlers can reach. */
export interface Services extends AuthServices {
  logger: Logger;
  /** How long a tenant access token lasts. */
  accessTokenTtlMs: number;
  /** How long a request body may take to arrive. */
  bodyTimeoutMs: number;
  /** The per-tenant limit on log lines written. */
  logLimiter: RateLimiter;
  /** How long log lines are kept before the sweep removes them. */
  logRetentionMs: number;
}

/** The Hono environment of the app. */
export interface AppEnv extends AuthenticationEnv {
  Variables: { requestId: string } & AuthenticationVariables;
}

/** An endpoint: takes the request's context, answers a {@linkcode Reply}. */
export type Handler = (ctx: RouteContext) => Promise<Reply>;

/** How an endpoint treats credentials and idempotency keys. */
export interface RouteOptions {
  /**
   * `required` answers 401 without valid credentials; `none` skips
   * authentication, for the endpoints that establish it (login, refresh,
   * logout), so a stale cookie cannot lock a caller out of logging in.
   *
   * @default {"required"}
   */
  auth?: "required" | "none";
  /**
   * Whether `Idempotency-Key` applies: `true`; `"sealed"` for endpoints
   * whose answers carry new credentials, which are then stored encrypted and
   * replayed for a few minutes only; or `false`.
   *
   * @default {true}
   */
  idempotent?: boolean | "sealed";
  /**
   * For an endpoint without authentication: the key space of its
   * idempotency keys, taken from the request (without it, keys are ignored).
   */
  idempotencyScope?: (ctx: RouteContext) => Promise<string>;
}

/** One request, as a handler sees it. */
export class RouteContext {
  /** The raw request. */
  readonly request: Request;
  /** The server's services. */
  readonly services: Services;
  /** The parsed JSON body, or `undefined` when there was none. */
  readonly body: unknown;
  #url: URL | undefined;
  #query: Query | undefined;
  readonly #params: Record<string, string>;
  readonly #principal: Principal | undefined;
  #access: Promise<TenantAccess> | undefined;

  /** Made by the {@linkcode Router}. */
  constructor(
    init: {
      request: Request;
      services: Services;
      body: unknown;
      params: Record<string, string>;
      principal: Principal | undefined;
    },
  ) {
    this.request = init.request;
    this.services = init.services;
    this.body = init.body;
    this.#params = init.params;
    this.#principal = init.principal;
  }

  /** Its URL (parsed when first asked for: most handlers never do). */
  get url(): URL {
    return this.#url ??= new URL(this.request.url);
  }

  /** The query parameters. */
  get query(): Query {
    return this.#query ??= new Query(this.url.searchParams);
  }

  /** The caller; 401 when it sent no credentials. */
  get principal(): Principal {
    if (!this.#principal) throw unauthenticated();
    return this.#principal;
  }

  /** A path parameter, decoded. */
  param(name: string): string {
    return this.#params[name] ?? "";
  }

  /** The body as an object to read fields from; 400 when it is not one. */
  fields(): Fields {
    return new Fields(this.body ?? {});
  }

  /**
   * The tenant this request acts in, checking the caller's role there.
   *
   * @param needed The weakest role allowed.
   * @throws {HttpError} 400 `tenant_required`, 403, or 404.
   */
  async tenant(needed: Role = "viewer"): Promise<TenantAccess> {
    this.#access ??= resolveTenant(
      this.principal,
      this.request.headers.get("x-runplane-tenant"),
      this.services.store,
    );
    const access = await this.#access;
    requireRole(access.role, needed);
    return access;
  }
}

type Method = "GET" | "POST" | "PUT" | "DELETE";

const NO_BYTES = new Uint8Array(0);

/** Registers endpoints on a Hono app, each wrapped in the shared pipeline. */
export class Router {
  readonly #app: Hono<AppEnv>;
  readonly #services: Services;
  readonly #idempotency: IdempotencyGuard;
  /** Each path's methods. */
  readonly #methods = new Map<string, Set<Method>>();

  /**
   * @param app The Hono app, with its base path set.
   * @param services What handlers can reach.
   */
  constructor(app: Hono<AppEnv>, services: Services) {
    this.#app = app;
    this.#services = services;
    this.#idempotency = new IdempotencyGuard(services.store, services.box);
  }

  /** Adds a GET endpoint. */
  get(path: string, handler: Handler, options?: RouteOptions): void {
    this.#add("GET", path, handler, options);
  }

  /** Adds a POST endpoint. */
  post(path: string, handler: Handler, options?: RouteOptions): void {
    this.#add("POST", path, handler, options);
  }

  /** Adds a PUT endpoint. */
  put(path: string, handler: Handler, options?: RouteOptions): void {
    this.#add("PUT", path, handler, options);
  }

  /** Adds a DELETE endpoint. */
  delete(path: string, handler: Handler, options?: RouteOptions): void {
    this.#add("DELETE", path, handler, options);
  }

  /** Answers 405 for the known paths' other methods; call after the last route. */
  finish(): void {
    for (const [path, methods] of this.#methods) {
      const allow = [...methods];
      this.#app.all(path, () => {
        throw methodNotAllowed(allow);
      });
    }
  }

  #add(
    method: Method,
    path: string,
    handler: Handler,
    options: RouteOptions = {},
  ): void {
    // One name per parameter position: Hono's RegExpRouter (see app.ts)
    // refuses /x/:a beside /x/:b, and so one path has one set of methods.
    const methods = this.#methods.get(path) ?? new Set<Method>();
    methods.add(method);
    this.#methods.set(path, methods);
    const services = this.#services;
    const idempotency = this.#idempotency;
    const open = options.auth === "none";
    // The body is read only once the caller is known (a signature reads it
    // itself, to check it); open endpoints read a small one.
    const maxBytes = open ? MAX_OPEN_BODY_BYTES : MAX_BODY_BYTES;
    const endpoint = async (c: Context<AppEnv>): Promise<Response> => {
      const request = c.req.raw;
      let read: Promise<Uint8Array> | undefined;
      const readBodyOnce = () =>
        read ??= readBody(request, {
          maxBytes,
          timeoutMs: services.bodyTimeoutMs,
        });
      // Called here, not as a middleware: one hop fewer per request.
      const principal = open
        ? undefined
        : await requireCaller(request, readBodyOnce, services);
      // A GET has no body: no read to wait for.
      const bytes = request.body === null ? NO_BYTES : await readBodyOnce();
      const body = parseJsonBody(bytes, request.headers.get("content-type"));
      const ctx = new RouteContext({
        request,
        services,
        body,
        params: c.req.param() as Record<string, string>,
        principal,
      });
      const requestId = c.get("requestId");
      const run = (stored: boolean) =>
        handler(ctx).then(
          (reply) => toResponse(reply, { requestId, stored }),
          rethrowStoreError,
        );
      const key = request.headers.get("idempotency-key");
      const scope = key === null || method === "GET" ||
          options.idempotent === false
        ? undefined
        : principal?.credential ?? await options.idempotencyScope?.(ctx);
      return scope === undefined ? await run(false) : await idempotency.run({
        request,
        body: bytes,
        scope,
        key: key!,
        sealed: options.idempotent === "sealed",
      }, () => run(true));
    };
    this.#app.on(method, path, endpoint);
  }
}

/** Rethrows a store failure as the HTTP error it stands for. */
function rethrowStoreError(error: unknown): never {
  if (error instanceof StoreError) {
    throw new HttpError(
      error.code === "not_found" ? 404 : 409,
      error.code,
      error.message,
    );
  }
  throw error;
}

/**
 * The headers every answer carries, API reply, error or page.
 *
 * @param requestId The request's id, echoed.
 */
export function answerHeaders(requestId: string): Record<string, string> {
  return {
    "x-request-id": requestId,
    // Every answer is for one caller, and some carry secrets (tokens,
    // secret values): no cache may keep any of them.
    "cache-control": "no-store",
  };
}

/**
 * Turns a reply into a JSON response, with {@linkcode answerHeaders} in its
 * one header object (setting them on the made response costs more).
 */
function toResponse(
  reply: Reply,
  { requestId, stored }: { requestId: string; stored: boolean },
): Response {
  const headers = { ...reply.headers, ...answerHeaders(requestId) };
  const text = reply.json ??
    (reply.body === undefined ? undefined : JSON.stringify(reply.body));
  if (text === undefined || reply.status === 204) {
    return new Response(null, { status: reply.status, headers });
  }
  return jsonResponse(text, { status: reply.status, headers, stored });
}
