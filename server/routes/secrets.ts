/**
 * Tenant secrets. Values are sealed with AES-256-GCM under the server key,
 * bound to their tenant and name, and appear only in `GET /secrets/:name`.
 *
 * @module
 */

import { notFound } from "../http_error.ts";
import type { Reply } from "../idempotency.ts";
import { pageQuery, pageReply } from "./_page.ts";
import type { RouteContext, Router } from "../router.ts";
import { pathParameter } from "../validate.ts";
import { SECRET_NAME_PATTERN } from "../../api/mod.ts";

const NAME_HINT = "1 to 128 letters, digits and _ . -";

/** Registers `/secrets`. */
export function registerSecretRoutes(router: Router): void {
  router.put("/secrets/:name", putSecret);
  router.get("/secrets/:name", getSecret);
  router.get("/secrets", listSecrets);
  router.delete("/secrets/:name", deleteSecret);
}

function secretName(ctx: RouteContext): string {
  return pathParameter(
    "name",
    ctx.param("name"),
    SECRET_NAME_PATTERN,
    NAME_HINT,
  );
}

/** The AES-GCM context a secret's value is sealed under. */
export function secretContext(tenantId: string, name: string): string {
  return `secret:${tenantId}:${name}`;
}

async function putSecret(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant("member");
  const name = secretName(ctx);
  const value = ctx.fields().string("value", { min: 0, max: 65_536 });
  const sealed = await ctx.services.box.seal(
    value,
    secretContext(tenant.id, name),
  );
  const info = await ctx.services.store.putSecret(tenant.id, name, sealed);
  return { status: 200, body: info };
}

async function getSecret(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant("member");
  const name = secretName(ctx);
  const sealed = await ctx.services.store.sealedSecret(tenant.id, name);
  if (sealed === undefined) throw notFound("Secret");
  const value = await ctx.services.box.open(
    sealed,
    secretContext(tenant.id, name),
  );
  return { status: 200, body: { name, value } };
}

async function listSecrets(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant();
  return pageReply(
    await ctx.services.store.pageSecrets(tenant.id, pageQuery(ctx)),
  );
}

async function deleteSecret(ctx: RouteContext): Promise<Reply> {
  const { tenant } = await ctx.tenant("member");
  if (!await ctx.services.store.deleteSecret(tenant.id, secretName(ctx))) {
    throw notFound("Secret");
  }
  return { status: 204 };
}
