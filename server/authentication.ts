/**
 * Who is calling: turns a request's credentials (bearer token, HTTP Basic,
 * HMAC keypair signature or login cookie) into a {@linkcode Principal}, and
 * a principal plus `X-Runplane-Tenant` into a tenant and a role.
 *
 * Every failure is the same generic 401, so a caller never learns whether the
 * user, the password, the key or the signature was wrong.
 *
 * @module
 */

import {
  parseHmacAuthorization,
  SigningKeyCache,
  timingSafeEqual,
  verifySignatureSync,
} from "../auth/hmac.ts";
import { type CryptoBox, sha256Hex } from "./crypto_box.ts";
import {
  forbidden,
  HttpError,
  notFound,
  unauthenticated,
} from "./http_error.ts";
import type { PasswordChecker } from "./passwords.ts";
import { clientAddress } from "./serve.ts";
import type { AccessKeyRecord, Store } from "./store.ts";
import { type Role, ROLES, type Tenant } from "../api/mod.ts";

/**
 * The login cookie's name (kept as `runplane_session`, which browsers
 * already hold); over https it carries the `__Host-` prefix, so a browser
 * takes it only from this very origin, with `Secure` and `Path=/`.
 */
export const LOGIN_COOKIE = "runplane_session";
/** How far a signed request's date may be off. */
const MAX_SKEW_MS = 5 * 60_000;
/** How long a nonce is remembered: longer than the skew window on both sides. */
const NONCE_TTL_MS = 10 * 60_000;

/** How a user principal proved itself. */
export type AuthMethod =
  | "basic"
  | "session"
  | "user_token"
  | "tenant_token"
  | "keypair"
  | "access_token";

/** The bootstrap admin. */
export interface AdminPrincipal {
  kind: "admin";
  /** Idempotency keys are scoped by this. */
  credential: string;
}

/** A user, possibly bound to one tenant. */
export interface UserPrincipal {
  kind: "user";
  userId: string;
  username: string;
  /** The tenant the credential is bound to, or `null` for an unbound one. */
  tenantId: string | null;
  via: AuthMethod;
  /** Idempotency keys are scoped by this. */
  credential: string;
  /** The hash of the tenant access token used, for `/auth/tenant-logout`. */
  accessHash?: string;
  /**
   * For a credential bound to a tenant: that tenant and the role there,
   * read with the credential in one statement, so {@linkcode resolveTenant}
   * needs no more; `null` when the user is no longer a member.
   */
  access?: TenantAccess | null;
}

/** Whoever sent a request. */
export type Principal = AdminPrincipal | UserPrincipal;

/** A tenant and the principal's role in it. */
export interface TenantAccess {
  tenant: Tenant;
  role: Role;
}

/** What authentication needs from the server. */
export interface AuthServices {
  store: Store;
  box: CryptoBox;
  passwords: PasswordChecker;
  /**
   * The origin browsers see, when a proxy in front of the server makes it
   * differ from the request's own (such as `https://runplane.example`).
   */
  publicUrl?: URL;
}

/**
 * Authenticates a request.
 *
 * @param request The request as received; its body is not read yet.
 * @param body Reads its body, which a keypair signature covers: called only
 * once the signature names a known key, so no unknown caller gets a body read.
 * @param services The store, server key and password checker.
 * @returns The principal, or `undefined` when the request carries no credentials.
 * @throws {HttpError} 401 for credentials that do not check out.
 */
export async function authenticate(
  request: Request,
  body: () => Promise<Uint8Array>,
  services: AuthServices,
): Promise<Principal | undefined> {
  const header = request.headers.get("authorization");
  if (header === null) return await fromSessionCookie(request, services);
  const space = header.indexOf(" ");
  const scheme = space < 0 ? header : header.slice(0, space);
  const value = space < 0 ? "" : header.slice(space + 1).trim();
  switch (scheme.toLowerCase()) {
    case "bearer":
      return await fromBearer(value, services);
    case "basic":
      return await fromBasic(request, value, services);
    default:
      if (scheme.toUpperCase().startsWith("RUNPLANE-HMAC-")) {
        return await fromSignature(request, header, body, services);
      }
      throw unauthenticated();
  }
}

/**
 * The tenant a request acts in, and the principal's role there.
 *
 * @param principal Who is calling.
 * @param slug The `X-Runplane-Tenant` header, if sent.
 * @param store Where tenants and memberships live.
 * @throws {HttpError} 400 `tenant_required`, or 404 for a tenant the principal may not use.
 */
export async function resolveTenant(
  principal: Principal,
  slug: string | null,
  store: Store,
): Promise<TenantAccess> {
  if (principal.kind === "user" && principal.tenantId !== null) {
    const access = principal.access;
    if (!access || (slug !== null && slug !== access.tenant.slug)) {
      throw notFound("Tenant");
    }
    return access;
  }
  if (slug === null) {
    throw new HttpError(
      400,
      "tenant_required",
      "Select a tenant with the X-Runplane-Tenant header",
    );
  }
  const tenant = await store.tenantBySlug(slug);
  if (!tenant) throw notFound("Tenant");
  if (principal.kind === "admin") return { tenant, role: "admin" };
  const role = await store.role(principal.userId, tenant.id);
  if (!role) throw notFound("Tenant");
  return { tenant, role };
}

/**
 * Throws 403 unless `role` is at least `needed`.
 *
 * @param role The principal's role.
 * @param needed The weakest role allowed.
 */
export function requireRole(role: Role, needed: Role): void {
  if (ROLES.indexOf(role) < ROLES.indexOf(needed)) throw forbidden();
}

/** A username and password, and the request they came with. */
export interface Login {
  /** The name the caller gave. */
  username: string;
  /** The password the caller gave. */
  password: string;
  /** The request, whose client address is throttled too. */
  request: Request;
}

/**
 * Checks a username and password.
 *
 * @param login The username, password and request.
 * @param services The store and password checker.
 * @returns The user's id and name.
 * @throws {HttpError} 401 when either is wrong, 429 when throttled.
 */
export async function checkPassword(
  login: Login,
  services: AuthServices,
): Promise<{ id: string; username: string }> {
  const user = await services.store.userByName(login.username);
  const ok = await services.passwords.verify({
    username: login.username,
    password: login.password,
    storedHash: user?.passwordHash,
    address: clientAddress(login.request),
  });
  if (!ok || !user) throw unauthenticated();
  return { id: user.id, username: user.username };
}

/**
 * The origin a browser sees: `publicUrl`, else the request's own.
 *
 * @param url The request's URL.
 * @param services Where `publicUrl` is set.
 */
export function publicOrigin(url: URL, services: AuthServices): URL {
  return services.publicUrl ?? url;
}

/** The login cookie's name at an origin: see {@linkcode LOGIN_COOKIE}. */
export function loginCookieName(origin: URL): string {
  return origin.protocol === "https:" ? `__Host-${LOGIN_COOKIE}` : LOGIN_COOKIE;
}

/**
 * Refuses a POST that a browser says came from another origin or site: its
 * `Origin`, when sent, must be the public origin, and its `Sec-Fetch-Site`,
 * when sent, `same-origin` or `none`.
 *
 * @param request The request.
 * @param origin The origin browsers see ({@linkcode publicOrigin}).
 * @throws {HttpError} 403.
 */
export function requireSameOrigin(request: Request, origin: URL): void {
  const sent = request.headers.get("origin");
  const site = request.headers.get("sec-fetch-site");
  if (
    (sent !== null && sent !== origin.origin) ||
    (site !== null && site !== "same-origin" && site !== "none")
  ) {
    throw new HttpError(403, "forbidden", "Cross-site request refused");
  }
}

/** The value of one cookie, or `undefined`. */
export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get("cookie") ?? "";
  for (const part of header.split(";")) {
    const equals = part.indexOf("=");
    if (equals > 0 && part.slice(0, equals).trim() === name) {
      return part.slice(equals + 1).trim();
    }
  }
  return undefined;
}

async function fromBearer(
  token: string,
  services: AuthServices,
): Promise<Principal> {
  if (token.length === 0 || token.length > 512) throw unauthenticated();
  // Every lookup reads the database, nothing is kept in memory: a token
  // revoked on any instance fails on the next request everywhere.
  const hash = sha256Hex(token);
  const now = Date.now();
  const apiToken = await services.store.apiTokenByHash(hash, now);
  if (apiToken) {
    const bound = apiToken.scope === "tenant";
    return {
      kind: "user",
      userId: apiToken.userId,
      username: apiToken.holder.username,
      tenantId: bound ? apiToken.tenantId : null,
      via: bound ? "tenant_token" : "user_token",
      credential: `token:${apiToken.id}`,
      access: bound ? apiToken.holder.access ?? null : undefined,
    };
  }
  // The admin token is read from the database too: every instance of a
  // deployment accepts the one the latest instance was started with.
  const adminTokenHash = await services.store.adminTokenHash();
  if (
    adminTokenHash !== undefined &&
    timingSafeEqual(encoder.encode(hash), encoder.encode(adminTokenHash))
  ) {
    return { kind: "admin", credential: "admin" };
  }
  const grant = await services.store.accessToken(hash, now);
  if (grant) {
    // Access tokens rotate every 15 minutes; keying idempotency by the grant's
    // family keeps a retry valid across a refresh.
    return {
      kind: "user",
      userId: grant.userId,
      username: grant.holder.username,
      tenantId: grant.tenantId,
      via: "access_token",
      credential: `family:${grant.familyId}`,
      accessHash: hash,
      access: grant.holder.access ?? null,
    };
  }
  throw unauthenticated();
}

async function fromBasic(
  request: Request,
  value: string,
  services: AuthServices,
): Promise<Principal> {
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(atob(value), (char) => char.charCodeAt(0)),
    );
  } catch {
    throw unauthenticated();
  }
  const colon = decoded.indexOf(":");
  if (colon <= 0 || decoded.length > 2048) throw unauthenticated();
  const user = await checkPassword({
    username: decoded.slice(0, colon),
    password: decoded.slice(colon + 1),
    request,
  }, services);
  return {
    kind: "user",
    userId: user.id,
    username: user.username,
    tenantId: null,
    via: "basic",
    credential: `user:${user.id}`,
  };
}

async function fromSignature(
  request: Request,
  header: string,
  body: () => Promise<Uint8Array>,
  services: AuthServices,
): Promise<Principal> {
  const parsed = parseHmacAuthorization(header);
  if (!parsed) throw unauthenticated();
  // An unknown key is refused before its body is read: reading the body of
  // anyone who merely sends this scheme would hand every stranger a buffer.
  // Access key ids are not secrets, so answering sooner tells nothing.
  // The row is read on every request, so a keypair revoked on any instance
  // fails on the next one; only the opening of its sealed secret is cached.
  const record = await services.store.accessKey(parsed.accessKey);
  if (!record) throw unauthenticated();
  const opened = await openedSecret(services.box, record);
  const result = verifySignatureSync(
    {
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: await body(),
    },
    {
      secretKey: opened.secretKey,
      maxSkewMs: MAX_SKEW_MS,
      cache: opened.signingKeys,
    },
  );
  if (!result.ok) throw unauthenticated();
  const fresh = await services.store.useNonce(
    record.accessKey,
    result.nonce,
    Date.now() + NONCE_TTL_MS,
  );
  if (!fresh) throw unauthenticated();
  return {
    kind: "user",
    userId: record.userId,
    username: record.holder.username,
    tenantId: record.tenantId,
    via: "keypair",
    credential: `key:${record.accessKey}`,
    access: record.holder.access ?? null,
  };
}

/** A keypair's opened secret, and its derived signing keys. */
interface OpenedSecret {
  secretKey: string;
  signingKeys: SigningKeyCache;
}

/** The most opened secrets kept per server key. */
const MAX_OPENED_SECRETS = 1_024;
const openedSecrets = new WeakMap<CryptoBox, Map<string, OpenedSecret>>();

/**
 * Opens a keypair's sealed secret, or finds it opened before. Keyed by the
 * sealed value itself, as read from the row on this request: a revoked
 * keypair has no row, and a replaced secret is another key, so nothing
 * cached outlives a revocation on any instance. Sealing uses a random
 * nonce and binds the access key, so a sealed value is one keypair's only.
 */
async function openedSecret(
  box: CryptoBox,
  record: AccessKeyRecord,
): Promise<OpenedSecret> {
  let opened = openedSecrets.get(box);
  if (opened === undefined) {
    opened = new Map();
    openedSecrets.set(box, opened);
  }
  let entry = opened.get(record.sealedSecret);
  if (entry === undefined) {
    entry = {
      secretKey: await box.open(
        record.sealedSecret,
        accessKeyContext(record.accessKey),
      ),
      signingKeys: new SigningKeyCache(),
    };
    // Bounded: past the cap, the next keypairs are opened afresh.
    if (opened.size >= MAX_OPENED_SECRETS) opened.clear();
    opened.set(record.sealedSecret, entry);
  }
  return entry;
}

async function fromSessionCookie(
  request: Request,
  services: AuthServices,
): Promise<Principal | undefined> {
  const origin = publicOrigin(new URL(request.url), services);
  const sessionId = readCookie(request, loginCookieName(origin));
  if (sessionId === undefined) return undefined;
  const idHash = sha256Hex(sessionId);
  const userId = await services.store.sessionUser(idHash, Date.now());
  if (!userId) throw unauthenticated();
  const user = await services.store.userById(userId);
  if (!user) throw unauthenticated();
  return {
    kind: "user",
    userId,
    username: user.username,
    tenantId: null,
    via: "session",
    credential: `user:${userId}`,
  };
}

const encoder = new TextEncoder();

/** The AES-GCM context a keypair's secret is sealed under. */
export function accessKeyContext(accessKey: string): string {
  return `access-key:${accessKey}`;
}
