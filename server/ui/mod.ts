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
import { authenticate } from "../authentication.ts";
import { HttpError, methodNotAllowed } from "../http_error.ts";
import type { AppEnv, Services } from "../router.ts";
import { displayName, type PageHandler, type UiContext } from "./context.ts";
import { errorPage, redirect, UI_HEADERS } from "./layout.ts";
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

/** Pages are GETs: a body sent with one is never read. */
const NO_BODY = () => Promise.resolve(new Uint8Array(0));

/**
 * Adds the `/ui` routes to the app. Mount it before the app's catch-all
 * handlers; it answers every path under `/ui` itself, with HTML.
 *
 * @param app The Hono app (without a base path).
 * @param services The server's services.
 */
export function mountUi(app: Hono<AppEnv>, services: Services): void {
  const methods = new Map<string, Set<string>>();
  const add = (
    method: "GET" | "POST",
    path: string,
    handler: (c: Context<AppEnv>) => Promise<Response>,
  ) => {
    const known = methods.get(path) ?? new Set<string>();
    known.add(method);
    methods.set(path, known);
    app.on(method, path, handler);
  };
  const open = (handler: (request: LoginRequest) => Promise<Response>) =>
    async function openPage(c: Context<AppEnv>): Promise<Response> {
      const request = c.req.raw;
      try {
        return await handler({
          request,
          url: new URL(request.url),
          services,
        });
      } catch (error) {
        return failure(error, c, services);
      }
    };
  const guarded = (handler: PageHandler) =>
    async function signedInPage(c: Context<AppEnv>): Promise<Response> {
      const request = c.req.raw;
      const url = new URL(request.url);
      let ctx: UiContext;
      try {
        const principal = await authenticate(request, NO_BODY, services);
        if (!principal) return redirect(loginPath(url.pathname + url.search));
        ctx = {
          request,
          url,
          services,
          requestId: c.get("requestId"),
          principal,
          params: c.req.param() as Record<string, string>,
        };
      } catch (error) {
        if (error instanceof HttpError && error.status === 401) {
          return redirect(loginPath(url.pathname + url.search));
        }
        return failure(error, c, services);
      }
      try {
        return await handler(ctx);
      } catch (error) {
        return failure(error, c, services, displayName(ctx.principal));
      }
    };

  app.use("/ui/*", async function uiHeaders(c, next) {
    await next();
    for (const [name, value] of Object.entries(UI_HEADERS)) {
      c.res.headers.set(name, value);
    }
  });

  // The exact paths first: "login" must not be taken for a tenant's slug.
  app.get("/", () => Promise.resolve(redirect("/ui/")));
  app.get("/ui", () => Promise.resolve(redirect("/ui/")));
  add("GET", "/ui/login", open(loginPage));
  add("POST", "/ui/login", open(login));
  add("POST", "/ui/logout", open(logout));
  add("GET", "/ui/", guarded(tenantsPage));
  add("GET", "/ui/:tenant", guarded(tenantHome));
  add("GET", "/ui/:tenant/flow-runs", guarded(flowRunsPage));
  add("GET", "/ui/:tenant/flow-runs/:id", guarded(flowRunPage));
  add("POST", "/ui/:tenant/flow-runs/:id/cancel", guarded(cancelFlowRun));
  add("GET", "/ui/:tenant/task-runs/:id", guarded(taskRunPage));
  add("GET", "/ui/:tenant/logs/:id", guarded(logLinePage));
  add("GET", "/ui/:tenant/flows/:id", guarded(flowPage));
  add("GET", "/ui/:tenant/projects/:id", guarded(projectPage));

  for (const [path, known] of methods) {
    const allow = [...known];
    app.all(path, function pageMethodNotAllowed(c) {
      return failure(methodNotAllowed(allow), c, services);
    });
  }
  app.all("/ui/*", function uiNotFound() {
    return errorPage(404, "Page not found");
  });
}

/** Turns a failure into an error page; an unexpected one is logged, never shown. */
function failure(
  error: unknown,
  c: Context<AppEnv>,
  services: Services,
  who?: string,
): Response {
  if (error instanceof HttpError) {
    const response = errorPage(error.status, error.message, who);
    for (const [name, value] of Object.entries(error.headers)) {
      response.headers.set(name, value);
    }
    return response;
  }
  const requestId = c.get("requestId");
  const { name, message } = error instanceof Error
    ? error
    : { name: "Error", message: String(error) };
  // Only the class and message, as the API's error handler does.
  services.logger.log(
    `Unexpected error in ${c.req.method} ${c.req.path} (${requestId}): ${name}: ${message}`,
  );
  return errorPage(500, "Internal server error", who, requestId);
}
