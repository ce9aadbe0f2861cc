/**
 * A multi-tenant gateway in Deno Deploy form: each incoming request's own
 * bearer token becomes that request's Runplane client, through
 * `withRequestClient`. One user's request never sees another's client, not
 * even after a module is imported for the first time inside some request.
 *
 * Run it locally the way Deno Deploy runs it (network, env and read only):
 *
 * ```sh
 * RUNPLANE_ENDPOINT=http://127.0.0.1:4200 deno serve --allow-net --allow-env --allow-read examples/deploy/main.ts
 * curl -H "Authorization: Bearer <token>" http://127.0.0.1:8000/projects
 * ```
 *
 * Routes: `/whoami`, `/projects`, `/report` (loads `report.ts` on first use).
 * A request needs a tenant: a tenant-bound token, or an `X-Runplane-Tenant`
 * header, which the gateway passes on. A Runplane error becomes the
 * gateway's own answer with the same status (a bad token is 401, not 500),
 * with a message saying what the request needs.
 *
 * @module
 */

import {
  ApiError,
  Credentials,
  getActiveClient,
  withRequestClient,
} from "../../mod.ts";

/** What to tell a caller about a Runplane error, by its code. */
const NEEDS: Readonly<Record<string, string>> = {
  tenant_required:
    "Send X-Runplane-Tenant: <tenant slug>, or use a token bound to one tenant",
  unauthenticated:
    "Send Authorization: Bearer <your Runplane token>; this one was refused",
};

/** A Runplane error as this gateway's answer, with the same status. */
function errorResponse(error: ApiError): Response {
  const status = error.status >= 400 && error.status < 600 ? error.status : 502;
  return Response.json(
    {
      error: NEEDS[error.code ?? ""] ?? error.message,
      code: error.code,
      requestId: error.requestId,
    },
    { status },
  );
}

async function handle(request: Request): Promise<Response> {
  try {
    return await route(request);
  } catch (error) {
    if (error instanceof ApiError) return errorResponse(error);
    throw error;
  }
}

async function route(request: Request): Promise<Response> {
  const client = getActiveClient();
  if (client === undefined) {
    return Response.json(
      { error: "Send Authorization: Bearer <your Runplane token>" },
      { status: 401 },
    );
  }
  switch (new URL(request.url).pathname) {
    case "/whoami":
      return Response.json(await client.get("/me"));
    case "/projects":
      return Response.json(
        (await client.projects.list().toArray()).map((project) => project.name),
      );
    case "/report": {
      // Loaded on first use, inside this request's scope: the import that
      // Deno 2.9 leaks a scope through. withRequestClient makes it harmless.
      const { projectReport } = await import("./report.ts");
      return Response.json(await projectReport());
    }
    default:
      return Response.json({ error: "Not found" }, { status: 404 });
  }
}

export default {
  fetch: withRequestClient(handle, {
    credentials: (request) => {
      const match = /^Bearer (.+)$/.exec(
        request.headers.get("authorization") ?? "",
      );
      const tenant = request.headers.get("x-runplane-tenant");
      return match
        ? new Credentials({
          token: match[1],
          extraHeaders: tenant ? { "x-runplane-tenant": tenant } : {},
        })
        : undefined;
    },
  }),
} satisfies Deno.ServeDefaultExport;
