/**
 * The one place a request's caller is established, for the API and the web
 * view alike: a Hono middleware that runs {@linkcode authenticate} (bearer
 * token, HTTP Basic, keypair signature or login cookie) and sets the
 * principal on the Hono context, where route and page handlers read it.
 *
 * @module
 */

import type { Context, MiddlewareHandler } from "hono";
import {
  authenticate,
  type AuthServices,
  type Principal,
} from "./authentication.ts";
import { HttpError, unauthenticated } from "./http_error.ts";

/** The Hono variables of authentication. */
export interface AuthenticationVariables {
  /** The caller: set by {@linkcode authentication}, absent on open routes. */
  principal?: Principal;
}

/** A Hono environment that holds the authentication variables. */
export interface AuthenticationEnv {
  /** The variables. */
  Variables: AuthenticationVariables;
}

/** How {@linkcode authentication} answers a caller it cannot identify. */
export interface AuthenticationOptions<E extends AuthenticationEnv> {
  /**
   * The answer when the request carries no credentials, or ones that do not
   * check out (the web view redirects to its login form). Without it, the
   * body is discarded unread and the generic 401 is thrown.
   */
  unauthenticated?: (c: Context<E>) => Response;
}

/** Pages read no body: a signature over one counts it as empty. */
const NO_BODY = () => Promise.resolve(new Uint8Array(0));

/**
 * Makes the middleware that requires a caller and sets `principal`.
 *
 * @param services The store, server key and password checker.
 * @param options How to answer a caller without valid credentials.
 * @returns The middleware; other failures (a throttled password, a store
 * error) are thrown to the app's error handler.
 */
export function authentication<E extends AuthenticationEnv>(
  services: AuthServices,
  options: AuthenticationOptions<E> = {},
): MiddlewareHandler<E> {
  const refuse = options.unauthenticated;
  return async function authenticateCaller(c: Context<E>, next) {
    let principal: Principal | undefined;
    try {
      // Without a refusal of its own, a caller without credentials gets 401.
      principal = refuse
        ? await authenticate(c.req.raw, NO_BODY, services)
        : await requireCaller(c.req.raw, NO_BODY, services);
    } catch (error) {
      if (refuse && error instanceof HttpError && error.status === 401) {
        return refuse(c);
      }
      throw error;
    }
    if (!principal) return refuse!(c);
    c.set("principal", principal);
    await next();
  };
}

/**
 * The caller of a request, as {@linkcode authentication} finds it, for a
 * pipeline that calls it directly (the API router, one hop fewer per
 * request than a middleware).
 *
 * @param request The request as received.
 * @param readBody Reads its body once, capped.
 * @param services The store, server key and password checker.
 * @throws {HttpError} 401 when it carries no valid credentials (its body
 * discarded unread).
 */
export async function requireCaller(
  request: Request,
  readBody: () => Promise<Uint8Array>,
  services: AuthServices,
): Promise<Principal> {
  const principal = await authenticate(request, readBody, services);
  if (!principal) {
    await request.body?.cancel();
    throw unauthenticated();
  }
  return principal;
}
