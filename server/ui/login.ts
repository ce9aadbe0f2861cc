/**
 * The web UI's login and logout: a form that sets the same `runplane_session`
 * cookie as `POST /api/v1/auth/login`.
 *
 * Cross-site request forgery is kept out twice: the cookie is
 * `SameSite=Strict`, and every POST here must come from a page of this very
 * origin (its `Origin` header, when sent, must equal the server's public
 * origin: `publicUrl` behind a proxy, else its own).
 *
 * @module
 */

import {
  checkPassword,
  loginCookieName,
  publicOrigin,
  readCookie,
  requireSameOrigin,
} from "../authentication.ts";
import { MAX_OPEN_BODY_BYTES, readBody } from "../body.ts";
import { randomToken, sha256Hex } from "../crypto_box.ts";
import { HttpError } from "../http_error.ts";
import type { Services } from "../router.ts";
import { loginCookieHeader, SESSION_TTL_MS } from "../routes/logins.ts";
import { html } from "./html.ts";
import { htmlResponse, layout, redirect } from "./layout.ts";

/** Where a login lands when it was given no usable `next`. */
const HOME = "/ui/";
/** A `next` may only name a UI page of this server: no scheme, host, `..` or backslash. */
const SAFE_NEXT = /^\/ui\/[A-Za-z0-9\-._~%!$&'()*+,;=:@/?]*$/;
const BAD_CREDENTIALS = "Invalid username or password";

/** A login or logout request. */
export interface LoginRequest {
  /** The raw request. */
  request: Request;
  /** Its URL. */
  url: URL;
  /** The server's services. */
  services: Services;
}

/**
 * The `next` parameter if it is a safe relative UI path, else `/ui/`.
 *
 * @param next The parameter as given.
 * @returns A path on this server under `/ui/`.
 */
export function safeNext(next: string | null | undefined): string {
  if (
    typeof next !== "string" || next.length > 2048 || !SAFE_NEXT.test(next) ||
    next.includes("//") || /(^|\/)\.\.?(\/|\?|$)/.test(next) ||
    /%2e|%2f|%5c/i.test(next)
  ) {
    return HOME;
  }
  return next;
}

/** The path of the login page that returns to `next` afterwards. */
export function loginPath(next: string): string {
  return `/ui/login?next=${encodeURIComponent(next)}`;
}

/** `GET /ui/login`: the form. */
export function loginPage({ url }: LoginRequest): Promise<Response> {
  return Promise.resolve(
    loginForm(safeNext(url.searchParams.get("next")), undefined, 200),
  );
}

/** `POST /ui/login`: checks the password, sets the session cookie, redirects to `next`. */
export async function login(
  { request, url, services }: LoginRequest,
): Promise<Response> {
  const origin = publicOrigin(url, services);
  requireSameOrigin(request, origin);
  const form = await readForm(request, services);
  const next = safeNext(form.get("next"));
  const username = form.get("username") ?? "";
  const password = form.get("password") ?? "";
  if (
    username.length === 0 || password.length === 0 ||
    username.length > 128 || password.length > 1024
  ) {
    return loginForm(next, BAD_CREDENTIALS, 401, username);
  }
  let user: { id: string };
  try {
    user = await checkPassword({ username, password, request }, services);
  } catch (error) {
    if (error instanceof HttpError && error.status === 401) {
      return loginForm(next, BAD_CREDENTIALS, 401, username);
    }
    throw error;
  }
  const sessionId = randomToken("");
  await services.store.createSession(
    await sha256Hex(sessionId),
    user.id,
    Date.now() + SESSION_TTL_MS,
  );
  return redirect(next, {
    "set-cookie": loginCookieHeader(
      origin,
      sessionId,
      SESSION_TTL_MS / 1000,
    ),
  });
}

/** `POST /ui/logout`: ends the session, clears the cookie, back to the login page. */
export async function logout(
  { request, url, services }: LoginRequest,
): Promise<Response> {
  const origin = publicOrigin(url, services);
  requireSameOrigin(request, origin);
  await request.body?.cancel();
  const sessionId = readCookie(request, loginCookieName(origin));
  if (sessionId !== undefined) {
    await services.store.deleteSession(await sha256Hex(sessionId));
  }
  return redirect("/ui/login", {
    "set-cookie": loginCookieHeader(origin, "", 0),
  });
}

/** The form fields of a URL-encoded body. */
async function readForm(
  request: Request,
  services: Services,
): Promise<URLSearchParams> {
  const type = request.headers.get("content-type") ?? "";
  if (
    type.split(";")[0].trim().toLowerCase() !==
      "application/x-www-form-urlencoded"
  ) {
    await request.body?.cancel();
    throw new HttpError(
      415,
      "unsupported_media_type",
      "Send the form as application/x-www-form-urlencoded",
    );
  }
  const bytes = await readBody(request, {
    maxBytes: MAX_OPEN_BODY_BYTES,
    timeoutMs: services.bodyTimeoutMs,
  });
  return new URLSearchParams(new TextDecoder().decode(bytes));
}

function loginForm(
  next: string,
  error: string | undefined,
  status: number,
  username = "",
): Response {
  return htmlResponse(
    layout({
      title: "Log in",
      body: html`<form class="login" method="post" action="/ui/login">
<h1>Log in to Runplane</h1>
${error === undefined ? "" : html`<p class="error" role="alert">${error}</p>`}
<label>Username <input name="username" autocomplete="username" required maxlength="128" value="${username}" autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required maxlength="1024"></label>
<input type="hidden" name="next" value="${next}">
<button type="submit">Log in</button>
</form>`,
    }),
    status,
  );
}
