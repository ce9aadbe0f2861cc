/**
 * Helpers for the web UI tests: a throw-away server, raw API calls to set up
 * data, and UI requests that do not follow redirects.
 *
 * @module
 */

import { ADMIN_TOKEN } from "../_helpers/admin_token.ts";
import { PASSWORD, seedTenant } from "../_helpers/seed.ts";

/** The CSP every UI response carries. */
export const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'";

/** Calls `/api/v1<path>` with a bearer token (the admin's by default) and parses the JSON. */
export async function api(
  server: { url: URL },
  method: string,
  path: string,
  options: { body?: unknown; tenant?: string; token?: string } = {},
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  const headers = new Headers({
    authorization: `Bearer ${options.token ?? ADMIN_TOKEN}`,
  });
  if (options.body !== undefined) {
    headers.set("content-type", "application/json");
  }
  if (options.tenant !== undefined) {
    headers.set("x-runplane-tenant", options.tenant);
  }
  const response = await fetch(new URL(`/api/v1${path}`, server.url), {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  }
  return text === "" ? undefined : JSON.parse(text);
}

/** A UI answer with its body read. */
export interface Page {
  status: number;
  headers: Headers;
  text: string;
}

/** Requests a UI path without following redirects. */
export async function ui(
  server: { url: URL },
  path: string,
  init: RequestInit = {},
): Promise<Page> {
  const response = await fetch(new URL(path, server.url), {
    redirect: "manual",
    ...init,
  });
  return {
    status: response.status,
    headers: response.headers,
    text: await response.text(),
  };
}

/** Posts the login form; `origin` defaults to the server's own. */
export function postLogin(
  server: { url: URL },
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Page> {
  return ui(server, "/ui/login", {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: server.url.origin,
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
  });
}

/** The `Authorization` header of a seeded user, by name, with {@linkcode PASSWORD}. */
export function basicAuth(username: string): { authorization: string } {
  return { authorization: `Basic ${btoa(`${username}:${PASSWORD}`)}` };
}

/** Fails unless `text` contains `part`, showing a little of the text. */
export function assertIncludes(text: string, part: string): void {
  if (!text.includes(part)) {
    throw new Error(
      `Expected the text to include ${JSON.stringify(part)}; it starts: ${
        text.slice(0, 300)
      }`,
    );
  }
}

/** The `name=value` part of a `Set-Cookie` header, for a `Cookie` header. */
export function cookiePair(setCookie: string | null): string {
  if (setCookie === null) throw new Error("Expected a Set-Cookie header");
  return setCookie.split(";")[0];
}

/** What {@linkcode seedRuns} made. */
export interface Seeded {
  tenant: string;
  memberToken: string;
  flowId: string;
  projectId: string;
  runId: string;
  taskRunId: string;
}

/**
 * Seeds a tenant with a member and a viewer named `member-<slug>` and
 * `viewer-<slug>`, then, as the member, a project, a flow, one run with a
 * few states, a task run and two log lines.
 */
export async function seedRuns(
  server: { url: URL },
  slug: string,
  options: { runName?: string; message?: string; logMessage?: string } = {},
): Promise<Seeded> {
  const seeded = await seedTenant(server, slug, {
    roles: ["member", "viewer"],
    username: (role) => `${role}-${slug}`,
  });
  const token = seeded.tokens.member;
  const call = (method: string, path: string, body?: unknown) =>
    api(server, method, path, { body, token });
  const project = await call("POST", "/projects", { name: "etl" });
  const flow = await call("POST", "/flows", {
    name: "nightly",
    projectId: project.id,
  });
  const run = await call("POST", "/flow-runs", {
    flowId: flow.id,
    name: options.runName,
    parameters: { day: "2026-01-02" },
  });
  let version = run.version;
  for (
    const state of [
      "PENDING",
      { type: "RUNNING", message: options.message ?? "Started" },
    ]
  ) {
    ({ version } = await call("POST", `/flow-runs/${run.id}/state`, {
      version,
      state,
    }));
  }
  const taskRun = await call("POST", "/task-runs", {
    flowRunId: run.id,
    taskId: "extract",
    tags: ["io"],
  });
  await call("POST", "/logs", {
    entries: [
      { flowRunId: run.id, level: "INFO", message: "First line" },
      {
        flowRunId: run.id,
        taskRunId: taskRun.id,
        level: "warning",
        message: options.logMessage ?? "Second line",
      },
    ],
  });
  return {
    tenant: slug,
    memberToken: token,
    flowId: flow.id,
    projectId: project.id,
    runId: run.id,
    taskRunId: taskRun.id,
  };
}
