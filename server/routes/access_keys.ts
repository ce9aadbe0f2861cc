/**
 * HMAC keypairs: create, list and revoke them (see `_admin.ts` for who may).
 *
 * @module
 */

import { accessKeyContext } from "../authentication.ts";
import { randomToken } from "../crypto_box.ts";
import { notFound } from "../http_error.ts";
import type { Reply } from "../idempotency.ts";
import type { RouteContext, Router } from "../router.ts";
import { pathParameter } from "../validate.ts";
import {
  adminAccess,
  listCredentials,
  managedBy,
  SLUG,
  USERNAME,
} from "./_admin.ts";

/** Registers `/access-keys`. */
export function registerAccessKeyRoutes(router: Router): void {
  // Its answer holds a new secret, which must not be kept for replays.
  router.post("/access-keys", createAccessKey, { idempotent: "sealed" });
  router.get("/access-keys", listAccessKeys);
  router.delete("/access-keys/:accessKey", revokeAccessKey);
}

async function createAccessKey(ctx: RouteContext): Promise<Reply> {
  const fields = ctx.fields();
  const username = fields.string("username", USERNAME);
  const slug = fields.string("tenant", SLUG);
  const access = await adminAccess(ctx, slug);
  const store = ctx.services.store;
  const user = await store.userByName(username);
  if (!user || !await store.role(user.id, access.tenant.id)) {
    throw notFound("User");
  }
  const accessKey = randomAccessKey();
  const secretKey = randomToken("rpsk_");
  await store.createAccessKey({
    accessKey,
    sealedSecret: await ctx.services.box.seal(
      secretKey,
      accessKeyContext(accessKey),
    ),
    userId: user.id,
    tenantId: access.tenant.id,
  });
  return { status: 201, body: { accessKey, secretKey } };
}

function listAccessKeys(ctx: RouteContext): Promise<Reply> {
  return listCredentials(
    ctx,
    (filter) => ctx.services.store.listAccessKeys(filter),
  );
}

async function revokeAccessKey(ctx: RouteContext): Promise<Reply> {
  const accessKey = pathParameter(
    "accessKey",
    ctx.param("accessKey"),
    ACCESS_KEY,
    "RPAK and 20 characters of A-Z, 2-7",
  );
  const revoked = await ctx.services.store.revokeAccessKey(
    accessKey,
    managedBy(ctx),
  );
  if (!revoked) throw notFound("Access key");
  return { status: 204 };
}

/** `RPAK` and 20 base32 characters: easy to read out, and no secret. */
function randomAccessKey(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  return "RPAK" + Array.from(bytes, (byte) => alphabet[byte & 31]).join("");
}

const ACCESS_KEY = /^RPAK[A-Z2-7]{20}$/;
