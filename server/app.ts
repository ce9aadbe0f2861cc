/**
 * The HTTP application: Hono routing under `/api/v1`, request ids, request
 * logging, error mapping, every route module, and the web UI under `/ui`.
 *
 * @module
 */

import { Hono } from "hono";
import { RegExpRouter } from "hono/router/reg-exp-router";
import { HttpError } from "./http_error.ts";
import { answerHeaders, type AppEnv, Router, type Services } from "./router.ts";
import { registerLoginRoutes } from "./routes/logins.ts";
import { registerTenantRoutes } from "./routes/tenants.ts";
import { registerUserRoutes } from "./routes/users.ts";
import { registerApiTokenRoutes } from "./routes/api_tokens.ts";
import { registerAccessKeyRoutes } from "./routes/access_keys.ts";
import { registerProjectRoutes } from "./routes/projects.ts";
import { registerFlowRunRoutes } from "./routes/flow_runs.ts";
import { registerTaskRunRoutes } from "./routes/task_runs.ts";
import { registerConcurrencyLimitRoutes } from "./routes/concurrency_limits.ts";
import { registerLogRoutes } from "./routes/logs.ts";
import { registerSecretRoutes } from "./routes/secrets.ts";
import { registerAgentRoutes } from "./routes/agents.ts";
import { failurePage, isPagePath, mountUi } from "./ui/mod.ts";
import { API_PREFIX } from "../api/mod.ts";

/**
 * The request ids we echo. Hono's `requestId()` is not used: it refuses `.`
 * and `:` (which tracing ids carry), and it sets its header before the
 * handler runs, so every answer here that is a `Response` of its own (API
 * replies, web pages) goes out without it (checked with Hono 4.13.19).
 */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** How often expired rows are swept, at most. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Builds the application.
 *
 * @param services The store, server key, password checker and logger.
 * @returns A `fetch` handler for `Deno.serve`.
 */
export function createApp(
  services: Services,
): (request: Request) => Promise<Response> {
  let lastSweep = 0;
  /** An app with the request context, the not-found answer and the error mapping. */
  const withBase = (app: Hono<AppEnv>) => {
    app.use(async function requestContext(c, next) {
      const started = performance.now();
      const given = c.req.header("x-request-id");
      const requestId = given !== undefined && REQUEST_ID.test(given)
        ? given
        : crypto.randomUUID();
      c.set("requestId", requestId);
      const now = Date.now();
      if (now - lastSweep > SWEEP_INTERVAL_MS) {
        lastSweep = now;
        await services.store.sweep(now, services.logRetentionMs);
      }
      await next();
      // API replies come with them already (see Router): a header set on a
      // made response costs a validation and a copy of its list.
      if (!c.res.headers.has("x-request-id")) {
        for (const [name, value] of Object.entries(answerHeaders(requestId))) {
          c.res.headers.set(name, value);
        }
      }
      const ms = Math.round(performance.now() - started);
      services.logger.log(
        `${c.req.method} ${c.req.path} ${c.res.status} ${ms}ms ${requestId}`,
      );
    });

    app.notFound(() =>
      new HttpError(404, "not_found", "Route not found").getResponse()
    );

    app.onError(function errorResponse(error, c) {
      let failure: HttpError;
      if (error instanceof HttpError) {
        failure = error;
      } else {
        // Only the class and message: a stack or a cause may quote a request.
        services.logger.log(
          `Unexpected error in ${c.req.method} ${c.req.path} (${
            c.get("requestId")
          }): ${error.name}: ${error.message}`,
        );
        failure = new HttpError(500, "internal", "Internal server error");
      }
      return isPagePath(c.req.path)
        ? failurePage(failure, c)
        : failure.getResponse();
    });
    return app;
  };

  // Two apps: the API's paths have one shape each, which Hono's RegExpRouter
  // matches with one regular expression (about 10 µs a request less than
  // the trie router under load); the web view's `/ui/login` beside
  // `/ui/:tenant` needs the trie router, which keeps registration order.
  const api = withBase(new Hono<AppEnv>({ router: new RegExpRouter() }));
  const pages = withBase(new Hono<AppEnv>());
  const router = new Router(api.basePath(API_PREFIX), services);
  registerLoginRoutes(router);
  registerTenantRoutes(router);
  registerUserRoutes(router);
  registerApiTokenRoutes(router);
  registerAccessKeyRoutes(router);
  registerProjectRoutes(router);
  registerFlowRunRoutes(router);
  registerTaskRunRoutes(router);
  registerConcurrencyLimitRoutes(router);
  registerLogRoutes(router);
  registerSecretRoutes(router);
  registerAgentRoutes(router);
  router.finish();
  mountUi(pages, services);

  // A promise always: the request-context middleware makes Hono answer
  // through its middleware chain. No async wrapper, so no await of its own.
  const answerApi = api.fetch as (request: Request) => Promise<Response>;
  const answerPage = pages.fetch as (request: Request) => Promise<Response>;
  const prefix = `${API_PREFIX}/`;
  return (request) => {
    const url = request.url;
    return url.startsWith(prefix, url.indexOf("/", url.indexOf("//") + 2))
      ? answerApi(request)
      : answerPage(request);
  };
}
