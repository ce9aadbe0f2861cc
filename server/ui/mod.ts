/**
 * The web UI: server-rendered HTML pages under `/ui`, the addresses that
 * `client.uiUrl()` makes (`/ui/<tenant>/flow-runs/<id>` and so on). No build
 * step and no script: every page is one HTML document with one inline
 * stylesheet, under a Content-Security-Policy that allows nothing else.
 *
 * Callers authenticate as for the API (a session cookie from the login form,
 * or Bearer or Basic), and see tenants exactly as the API shows them: a
 * tenant they are not a member of, or another tenant's id, is a 404.
 *
 * @example Mount it on the app
 * ```ts ignore
 * import { mountUi } from "./ui/mod.ts";
 *
 * mountUi(app, services);
 * ```
 *
 * @module
 */

import type { Context, Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { authentication } from "../authentication_middleware.ts";
import { type HttpError, methodNotAllowed } from "../http_error.ts";
import type { AppEnv, Services } from "../router.ts";
import { displayName, type PageHandler } from "./context.ts";
import { errorPage, redirect } from "./layout.ts";
import {
  login,
  loginPage,
  loginPath,
  type LoginRequest,
  logout,
} from "./login.ts";
import {
  cancelFlowRun,
  flowPage,
  flowRunPage,
  flowRunsPage,
  projectPage,
  taskRunPage,
  tenantHome,
  tenantsPage,
} from "./pages.ts";
import { logLinePage } from "./log_lines.ts";

/**
 * The web view's security headers, by Hono's `secureHeaders()`: a CSP that
 * allows the one inline stylesheet and form posts to this origin and
 * nothing else, no framing, no sniffing, and Hono's other defaults. Two of
 * those are changed: `Referrer-Policy` is `same-origin`, not `no-referrer`,
 * since under that a browser sends `Origin: null` with a form POST, which
 * the login's cross-site check refuses; and no `Strict-Transport-Security`,
 * since the server also runs over plain http and HSTS (with its
 * `includeSubDomains`) is the TLS front's decision for the whole domain.
 */
const pageHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    styleSrc: ["'unsafe-inline'"],
    formAction: ["'self'"],
  },
  xFrameOptions: "DENY",
  referrerPolicy: "same-origin",
  strictTransportSecurity: false,
});

type Method = "GET" | "POST";

/** The pages behind a sign-in, after the exact paths (`/ui/login`). */
const PAGES: readonly [Method, string, PageHandler][] = [
  ["GET", "/ui/", tenantsPage],
  ["GET", "/ui/:tenant", tenantHome],
  ["GET", "/ui/:tenant/flow-runs", flowRunsPage],
  ["GET", "/ui/:tenant/flow-runs/:id", flowRunPage],
  ["POST", "/ui/:tenant/flow-runs/:id/cancel", cancelFlowRun],
  ["GET", "/ui/:tenant/task-runs/:id", taskRunPage],
  ["GET", "/ui/:tenant/logs/:id", logLinePage],
  ["GET", "/ui/:tenant/flows/:id", flowPage],
  ["GET", "/ui/:tenant/projects/:id", projectPage],
];

/** Whether a path is the web view's, whose failures are answered as pages. */
export function isPagePath(path: string): boolean {
  return path === "/" || path === "/ui" || path.startsWith("/ui/");
}

/**
 * Adds the `/ui` routes to the app. Mount it before the app's catch-all
 * handlers; it answers every path under `/ui` itself, with HTML.
 *
 * @param app The Hono app (without a base path).
 * @param services The server's services.
 */
export function mountUi(app: Hono<AppEnv>, services: Services): void {
  const methods = new Map<string, Set<string>>();
  const known = (method: Method, path: string) => {
    const allowed = methods.get(path) ?? new Set<string>();
    allowed.add(method);
    methods.set(path, allowed);
  };
  const open = (
    method: Method,
    path: string,
    handler: (request: LoginRequest) => Promise<Response>,
  ) => {
    known(method, path);
    app.on(method, path, function openPage(c) {
      const request = c.req.raw;
      return handler({ request, url: new URL(request.url), services });
    });
  };
  // The API's authentication, with a way back here instead of a 401.
  const authenticateCaller = authentication<AppEnv>(services, {
    unauthenticated(c) {
      const url = new URL(c.req.url);
      return redirect(loginPath(url.pathname + url.search));
    },
  });
  const signedIn = (method: Method, path: string, handler: PageHandler) => {
    known(method, path);
    app.on(method, path, authenticateCaller, function signedInPage(c) {
      const request = c.req.raw;
      return handler({
        request,
        url: new URL(request.url),
        services,
        requestId: c.get("requestId"),
        principal: c.get("principal")!,
        params: c.req.param() as Record<string, string>,
      });
    });
  };

  app.use("/ui/*", pageHeaders);

  // The exact paths first: "login" must not be taken for a tenant's slug.
  app.get("/", pageHeaders, () => Promise.resolve(redirect("/ui/")));
  app.get("/ui", () => Promise.resolve(redirect("/ui/")));
  open("GET", "/ui/login", loginPage);
  open("POST", "/ui/login", login);
  open("POST", "/ui/logout", logout);
  for (const [method, path, handler] of PAGES) signedIn(method, path, handler);

  for (const [path, allowed] of methods) {
    const allow = [...allowed];
    app.all(path, function pageMethodNotAllowed() {
      throw methodNotAllowed(allow);
    });
  }
  app.all("/ui/*", function uiNotFound() {
    return errorPage(404, "Page not found");
  });
}

/**
 * The page for a failure of a web view request: the app's error handler
 * answers with it instead of the API's JSON.
 *
 * @param error What failed; an unexpected failure (already logged) is a 500.
 * @param c The request's context: the caller, if known, is named in the header.
 */
export function failurePage(error: HttpError, c: Context<AppEnv>): Response {
  const principal = c.get("principal");
  const who = principal === undefined ? undefined : displayName(principal);
  if (error.status === 500) {
    return errorPage(500, error.message, who, c.get("requestId"));
  }
  const response = errorPage(error.status, error.message, who);
  for (const [name, value] of Object.entries(error.headers)) {
    response.headers.set(name, value);
  }
  return response;
}
