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
 *
 * @module
 */

import { Credentials, getActiveClient, withRequestClient } from "../../mod.ts";

async function handle(request: Request): Promise<Response> {
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
        (await client.projects.list()).map((project) => project.name),
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
      return match ? new Credentials({ token: match[1] }) : undefined;
    },
  }),
} satisfies Deno.ServeDefaultExport;
