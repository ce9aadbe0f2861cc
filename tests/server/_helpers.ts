/**
 * Shared helpers for the server tests: call a reference server over real
 * HTTP, and fill a seeded tenant with a run.
 *
 * @module
 */

import { type SigningKey, signRequest } from "../../auth/hmac.ts";
import { ADMIN_TOKEN } from "../_helpers/admin_token.ts";
import type { SeededTenant } from "../_helpers/seed.ts";

/** How to call the API. */
export interface CallOptions {
  /** A JSON body, or raw text/bytes sent as is. */
  body?: unknown;
  /** A bearer token; `ADMIN_TOKEN` when neither this nor `headers.authorization` is set. */
  token?: string | null;
  /** The `X-Runplane-Tenant` header. */
  tenant?: string;
  /** Extra headers. */
  headers?: Record<string, string>;
  /** Sign with this keypair instead of a token. */
  keypair?: SigningKey;
}

/** A response with its body read. */
export interface Answer {
  status: number;
  headers: Headers;
  // deno-lint-ignore no-explicit-any
  body: any;
}

/** Calls `/api/v1<path>` and reads the whole answer. */
export async function call(
  server: { url: URL },
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  const url = new URL(`/api/v1${path}`, server.url);
  const headers = new Headers(options.headers);
  let body: string | Uint8Array | undefined;
  if (typeof options.body === "string" || options.body instanceof Uint8Array) {
    body = options.body;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
  }
  if (body !== undefined && !headers.has("content-type")) {
    headers.set("content-type", "application/json");
  }
  if (options.tenant !== undefined) {
    headers.set("x-runplane-tenant", options.tenant);
  }
  if (options.keypair) {
    const signed = await signRequest(
      { method, url, headers, body },
      options.keypair,
    );
    for (const [name, value] of Object.entries(signed.headers)) {
      headers.set(name, value);
    }
  } else if (!headers.has("authorization") && options.token !== null) {
    headers.set("authorization", `Bearer ${options.token ?? ADMIN_TOKEN}`);
  }
  const response = await fetch(url, {
    method,
    headers,
    body: body as BodyInit | undefined,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Left as text for the test to look at.
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** Creates a project, a flow and a flow run as the member. */
export async function createFlowRun(
  server: { url: URL },
  tenant: SeededTenant<"member">,
): Promise<{ projectId: string; flowId: string; flowRunId: string }> {
  const token = tenant.tokens.member;
  const project = await call(server, "POST", "/projects", {
    token,
    body: { name: `project-${crypto.randomUUID()}` },
  });
  const flow = await call(server, "POST", "/flows", {
    token,
    body: { name: "etl", projectId: project.body.id },
  });
  const run = await call(server, "POST", "/flow-runs", {
    token,
    body: { flowId: flow.body.id },
  });
  if (run.status !== 201) throw new Error(`Flow run: ${run.status}`);
  return {
    projectId: project.body.id,
    flowId: flow.body.id,
    flowRunId: run.body.id,
  };
}

/** The base64 of `user:password`, for HTTP Basic. */
export function basic(username: string, password: string): string {
  return `Basic ${btoa(`${username}:${password}`)}`;
}
