/**
 * {@linkcode uiUrl}: the address of an object's page in the server's web
 * view, as `client.uiUrl()` answers it.
 *
 * @example
 * ```ts
 * import { uiUrl } from "./ui_url.ts";
 *
 * const url = uiUrl(new URL("http://127.0.0.1:4200"), { tenant: "acme", kind: "flow-run", id: "r1" });
 * console.assert(url === "http://127.0.0.1:4200/ui/acme/flow-runs/r1");
 * ```
 *
 * @module
 */

import { InvalidArgumentError } from "../errors.ts";
import type { UiKind } from "./resources/types.ts";

const UI_FOLDERS: Readonly<Record<UiKind, string>> = {
  "flow-run": "flow-runs",
  "task-run": "task-runs",
  "flow": "flows",
  "project": "projects",
};

/** Which page {@linkcode uiUrl} links to. */
export interface UiTarget {
  /** The tenant's slug, if one is known. */
  tenant: string | undefined;
  /** The kind of object. */
  kind: UiKind;
  /** The object's id. */
  id: string;
}

/**
 * The web page of an object below an endpoint.
 *
 * @param endpoint The endpoint the web view is served from.
 * @param target The tenant, kind and id.
 * @returns The URL.
 * @throws {InvalidArgumentError} For an unknown kind, an empty id, or
 * when no tenant is known.
 */
export function uiUrl(endpoint: URL, target: UiTarget): string {
  const { tenant, kind, id } = target;
  if (typeof kind !== "string" || !Object.hasOwn(UI_FOLDERS, kind)) {
    throw new InvalidArgumentError(
      `kind must be one of ${
        Object.keys(UI_FOLDERS).map((k) => `"${k}"`).join(", ")
      }`,
    );
  }
  if (typeof id !== "string" || id === "") {
    throw new InvalidArgumentError("id must be a non-empty string");
  }
  if (tenant === undefined || tenant === "") {
    throw new InvalidArgumentError(
      "uiUrl needs a tenant: log in with loginToTenant() or set config.tenant",
    );
  }
  const base = endpoint.origin + endpoint.pathname.replace(/\/$/, "");
  return `${base}/ui/${encodeURIComponent(tenant)}/${UI_FOLDERS[kind]}/${
    encodeURIComponent(id)
  }`;
}
