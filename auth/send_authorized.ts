/**
 * {@linkcode sendAuthorized}: sends a request with an authenticator's
 * credentials and, after a 401, lets the authenticator renew them once and
 * sends again.
 *
 * @example
 * ```ts
 * import { StaticAuthenticator } from "./authenticator.ts";
 * import { sendAuthorized } from "./send_authorized.ts";
 *
 * const auth = StaticAuthenticator.bearer("rp_example");
 * const sent = await sendAuthorized(auth, (authorize) => {
 *   const headers: Record<string, string> = {};
 *   authorize({ method: "GET", url: "http://127.0.0.1:4200/", headers });
 *   return Promise.resolve(headers.authorization);
 * });
 * console.assert(sent === "Bearer rp_example");
 * ```
 *
 * @module
 */

import { AuthenticationError } from "../errors.ts";
import type { OutgoingRequest } from "../transport/transport.ts";
import type { Authenticator } from "./authenticator.ts";

/** The transport's per-attempt hook, as {@linkcode sendAuthorized} hands it. */
export type Authorize = (request: OutgoingRequest) => void | Promise<void>;

/**
 * Calls `send` with an `authorize` hook that attaches `auth`'s credentials to
 * each attempt. When the request fails with an {@linkcode AuthenticationError}
 * after the credentials were attached, and `auth.recover()` renews them, it
 * calls `send` once more.
 *
 * @typeParam T What `send` resolves to.
 * @param auth The authenticator.
 * @param send Sends the request with the hook.
 * @returns What `send` resolved to.
 */
export function sendAuthorized<T>(
  auth: Authenticator,
  send: (authorize: Authorize) => Promise<T>,
): Promise<T> {
  // Nothing to renew (token, Basic, keypair): one hook per authenticator,
  // and no closure, state or async layer per request.
  if (auth.recover === undefined) return send(staticHook(auth));
  return sendRenewing(auth, send);
}

const staticHooks = new WeakMap<Authenticator, Authorize>();

function staticHook(auth: Authenticator): Authorize {
  let hook = staticHooks.get(auth);
  if (hook === undefined) {
    hook = (request) => auth.authorize(request) as void | Promise<void>;
    staticHooks.set(auth, hook);
  }
  return hook;
}

async function sendRenewing<T>(
  auth: Authenticator,
  send: (authorize: Authorize) => Promise<T>,
): Promise<T> {
  let used: unknown;
  // Set only once the credentials were attached: a 401 from a login or
  // refresh inside authorize() must not trigger a second login.
  let authorized = false;
  const authorize: Authorize = (request) => {
    authorized = false;
    const marker = auth.authorize(request);
    // Static credentials answer at once: no promise on the hot path.
    if (!(marker instanceof Promise)) {
      used = marker;
      authorized = true;
      return;
    }
    return marker.then((value) => {
      used = value;
      authorized = true;
    });
  };
  try {
    return await send(authorize);
  } catch (error) {
    if (
      !(error instanceof AuthenticationError) || !authorized ||
      !await auth.recover!(used)
    ) {
      throw error;
    }
    return await send(authorize);
  }
}
