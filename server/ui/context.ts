/**
 * What a web UI page handler is handed: the request, the server's services,
 * the caller and the path parameters.
 *
 * @module
 */

import {
  type Principal,
  requireRole,
  resolveTenant,
  type TenantAccess,
} from "../authentication.ts";
import type { Services } from "../router.ts";

/** One UI request, as a page handler sees it. */
export interface UiContext {
  /** The raw request. */
  request: Request;
  /** Its URL. */
  url: URL;
  /** The server's services. */
  services: Services;
  /** The request's id, also in `X-Request-Id`. */
  requestId: string;
  /** The caller; pages that need none are not wrapped in authentication. */
  principal: Principal;
  /** The path parameters, decoded. */
  params: Record<string, string>;
}

/** A page: answers an HTML response, or throws an `HttpError`. */
export type PageHandler = (ctx: UiContext) => Promise<Response>;

/**
 * The tenant of the path's `:tenant` slug, exactly as the API resolves
 * `X-Runplane-Tenant`: 404 for a tenant the caller is not a member of.
 *
 * @throws {HttpError} 404 for an unknown or foreign tenant.
 */
export async function pathTenant(ctx: UiContext): Promise<TenantAccess> {
  const access = await resolveTenant(
    ctx.principal,
    ctx.params.tenant ?? "",
    ctx.services.store,
  );
  requireRole(access.role, "viewer");
  return access;
}

/** The name the header shows for the caller. */
export function displayName(principal: Principal): string {
  return principal.kind === "admin" ? "admin" : principal.username;
}
