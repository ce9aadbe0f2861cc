/**
 * The host, and the path with its query, of a URL to sign, without parsing
 * the whole URL on every request. Shared by the signing and the
 * verification halves of the HMAC scheme (`hmac_sign.ts`, `hmac_verify.ts`).
 *
 * @module
 */

/** Hosts of the origins seen, so a URL the client built needs no full parse. */
const hosts = new Map<string, string>();
/** The origin of the URL before, and its host: requests go to a few. */
let lastOrigin = "";
let lastHost = "";

/**
 * A path and query that `new URL()` keeps byte for byte: it starts with `/`,
 * holds only plain characters, no dot segment (`/.` or `%2e`) and does not
 * end with an empty query (`?`). One regular expression, one pass.
 */
const PLAIN_TARGET =
  /^\/(?!\.)(?:[A-Za-z0-9\-._~!$&()*+,;=:@?]|\/(?!\.)|%(?!2[eE]))*(?<!\?)$/;

/**
 * The host, and the path with its query, as `new URL(url)` gives them. A
 * URL string whose path and query hold nothing `URL` would encode or
 * resolve (dot segments) is split by hand, and only its origin is parsed,
 * once: signing is on every request's path.
 */
export function urlParts(url: string | URL): { host: string; target: string } {
  if (typeof url === "string") {
    if (
      lastOrigin.length > 0 && url.startsWith(lastOrigin) &&
      url.charCodeAt(lastOrigin.length) === 0x2f
    ) {
      const target = url.slice(lastOrigin.length);
      if (PLAIN_TARGET.test(target)) return { host: lastHost, target };
    } else if (/^https?:\/\//i.test(url)) {
      const slash = url.indexOf("/", url.indexOf("//") + 2);
      const origin = slash < 0 ? "" : url.slice(0, slash);
      const target = slash < 0 ? "" : url.slice(slash);
      if (PLAIN_TARGET.test(target) && !/[?#\\]/.test(origin)) {
        let host = hosts.get(origin);
        if (host === undefined) {
          host = new URL(origin).host;
          if (hosts.size >= 64) hosts.clear();
          hosts.set(origin, host);
        }
        lastOrigin = origin;
        lastHost = host;
        return { host, target };
      }
    }
  }
  const parsed = typeof url === "string" ? new URL(url) : url;
  return { host: parsed.host, target: parsed.pathname + parsed.search };
}
