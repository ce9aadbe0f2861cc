import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type HashType,
  SigningKeyCache,
  signRequest,
  signRequestSync,
  verifySignature,
} from "../../auth/hmac.ts";
import { utf8 } from "../../auth/hmac_sign.ts";
import { InvalidArgumentError } from "../../errors.ts";
import { Credentials } from "../../auth/credentials.ts";
import {
  dropConnection,
  headHeaders,
  json,
  type RecordedRequest,
  startRawServer,
  startServer,
} from "../_helpers/test_server.ts";
import { testClient } from "../_helpers/client.ts";

// An independent verifier, written from the scheme in auth/hmac.ts's module
// doc with Web Crypto only: it shares no code with the library.
const HASHES: Record<HashType, string> = {
  sha256: "SHA-256",
  sha384: "SHA-384",
  sha512: "SHA-512",
};
const encoder = new TextEncoder();

function hex(buffer: ArrayBuffer | Uint8Array): string {
  return Array.from(
    buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer),
    (byte) => byte.toString(16).padStart(2, "0"),
  ).join("");
}

async function mac(
  key: Uint8Array,
  data: string,
  hash: string,
): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    key as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash },
    false,
    ["sign"],
  );
  return new Uint8Array(
    await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(data)),
  );
}

/** The scheme's one header, read without the library's parser. */
const AUTHORIZATION =
  /^RUNPLANE-HMAC-(SHA256|SHA384|SHA512) Credential=([^,\s]+), Date=(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z), Nonce=([^,\s]+), Signature=([0-9a-f]+)$/;

/** The signature the scheme prescribes for a request, computed from scratch. */
async function expectedSignature(
  request: { method: string; url: URL; headers: Headers; body: Uint8Array },
  secretKey: string,
  hashType: HashType,
  { date, nonce }: { date: string; nonce: string },
): Promise<string> {
  const hash = HASHES[hashType];
  const stringToSign = [
    request.method.toUpperCase(),
    request.url.pathname + request.url.search,
    date,
    nonce,
    `host:${request.url.host}`,
    `content-type:${(request.headers.get("content-type") ?? "").toLowerCase()}`,
    hex(
      await crypto.subtle.digest(hash, request.body as Uint8Array<ArrayBuffer>),
    ),
  ].join("\n");
  const day = date.slice(0, 10).replaceAll("-", "");
  const dayKey = await mac(encoder.encode(secretKey), day, hash);
  const hostKey = await mac(dayKey, request.url.host, hash);
  return hex(await mac(hostKey, stringToSign, hash));
}

/** Checks a received request the way an independent server would. */
async function assertSignedBy(
  request: { method: string; url: URL; headers: Headers; body: Uint8Array },
  accessKey: string,
  secretKey: string,
  hashType: HashType,
) {
  const authorization = request.headers.get("authorization") ?? "";
  const match = AUTHORIZATION.exec(authorization);
  assert.ok(match, `not a RUNPLANE-HMAC header: ${authorization}`);
  assert.equal(match[1], hashType.toUpperCase());
  assert.equal(match[2], accessKey);
  // Date and nonce travel in Authorization alone: no header of their own.
  assert.equal(request.headers.get("x-runplane-date"), null);
  assert.equal(request.headers.get("x-runplane-nonce"), null);
  assert.equal(
    match[5],
    await expectedSignature(request, secretKey, hashType, {
      date: match[3],
      nonce: match[4],
    }),
    "the signature does not match the scheme",
  );
}

/** The nonce inside a request's `Authorization`. */
function nonceOf(headers: Headers): string | undefined {
  return AUTHORIZATION.exec(headers.get("authorization") ?? "")?.[4];
}

function received(recorded: RecordedRequest) {
  return {
    method: recorded.method,
    url: recorded.url,
    headers: recorded.headers,
    body: recorded.bytes,
  };
}

const KEY = { accessKey: "AK1", secretKey: "sk_SECRET" };

Deno.test("signRequest() produces the signature of the documented scheme", async (t) => {
  for (const hashType of ["sha256", "sha384", "sha512"] as const) {
    await t.step(hashType, async () => {
      const body = '{"name":"churn","note":"h\u00e9"}';
      const request = {
        method: "post",
        url: "http://127.0.0.1:4200/api/v1/projects?x=1&y=%20",
        headers: { "Content-Type": "Application/JSON" },
        body,
      };
      const signed = await signRequest(request, KEY, {
        hashType,
        date: new Date("2026-11-22T14:43:04.987Z"),
        nonce: "6f1c2a9e-0d0e-4a57-9b8c-1b5e4f3f7c11",
      });
      assert.deepEqual(Object.keys(signed.headers), ["authorization"]);
      assert.equal(
        signed.headers.authorization,
        `RUNPLANE-HMAC-${hashType.toUpperCase()} Credential=AK1, Date=2026-11-22T14:43:04Z, Nonce=6f1c2a9e-0d0e-4a57-9b8c-1b5e4f3f7c11, Signature=${signed.signature}`,
      );
      const headers = new Headers(request.headers);
      for (const [name, value] of Object.entries(signed.headers)) {
        headers.set(name, value);
      }
      await assertSignedBy(
        {
          method: "POST",
          url: new URL(request.url),
          headers,
          body: encoder.encode(body),
        },
        KEY.accessKey,
        KEY.secretKey,
        hashType,
      );
      assert.ok(!JSON.stringify(signed).includes(KEY.secretKey));
    });
  }
});

Deno.test("verifySignature() accepts a request signed by an independent signer", async () => {
  const url = new URL("http://127.0.0.1:4200/api/v1/flow-runs?limit=5");
  const headers = new Headers();
  const date = new Date().toISOString().slice(0, 19) + "Z";
  const body = new Uint8Array(0);
  const signature = await expectedSignature(
    { method: "GET", url, headers, body },
    KEY.secretKey,
    "sha384",
    { date, nonce: "n-123" },
  );
  headers.set(
    "authorization",
    `RUNPLANE-HMAC-SHA384 Credential=AK1, Date=${date}, Nonce=n-123, Signature=${signature}`,
  );
  const result = await verifySignature(
    { method: "GET", url, headers, body },
    { secretKey: KEY.secretKey },
  );
  assert.equal(result.ok, true);
  assert.ok(
    result.ok && result.accessKey === "AK1" && result.nonce === "n-123",
  );
});

Deno.test("verifySignature() rejects a tampered request", async (t) => {
  const original = {
    method: "POST",
    url: "http://127.0.0.1:4200/api/v1/projects?x=1",
    headers: { "content-type": "application/json" },
    body: '{"name":"a"}',
  };
  const signed = await signRequest(original, KEY, { nonce: "n-1" });
  const headers = { ...original.headers, ...signed.headers };
  const authorization = signed.headers.authorization;
  const withAuthorization = (value: string) => ({
    ...headers,
    authorization: value,
  });
  const verify = (changes: Partial<typeof original>, options = {}) =>
    verifySignature({ ...original, headers, ...changes }, {
      secretKey: KEY.secretKey,
      ...options,
    });
  await t.step("untouched", async () => {
    assert.deepEqual((await verify({})).ok, true);
  });
  const tampered: Array<[string, Partial<typeof original>]> = [
    ["body", { body: '{"name":"b"}' }],
    ["path", { url: "http://127.0.0.1:4200/api/v1/projects/other?x=1" }],
    ["query", { url: "http://127.0.0.1:4200/api/v1/projects?x=2" }],
    ["host", { url: "http://127.0.0.1:4201/api/v1/projects?x=1" }],
    ["method", { method: "PUT" }],
    ["content type", {
      headers: { ...headers, "content-type": "text/plain" },
    }],
  ];
  for (const [name, changes] of tampered) {
    await t.step(name, async () => {
      assert.deepEqual(await verify(changes), {
        ok: false,
        reason: "bad-signature",
      });
    });
  }
  await t.step("wrong secret", async () => {
    assert.deepEqual(await verify({}, { secretKey: "other" }), {
      ok: false,
      reason: "bad-signature",
    });
  });
  await t.step("stale date", async () => {
    assert.deepEqual(
      await verify({}, { now: new Date(Date.now() + 600_000) }),
      { ok: false, reason: "stale-date" },
    );
  });
  await t.step("another date or nonce inside the header", async () => {
    const date = /Date=([^,]+)/.exec(authorization)![1];
    const earlier = new Date(new Date(date).getTime() - 1_000).toISOString()
      .slice(0, 19) + "Z";
    for (
      const changed of [
        authorization.replace(`Date=${date}`, `Date=${earlier}`),
        authorization.replace("Nonce=n-1,", "Nonce=n-2,"),
      ]
    ) {
      assert.deepEqual(
        await verify({ headers: withAuthorization(changed) }),
        { ok: false, reason: "bad-signature" },
      );
    }
  });
  await t.step("malformed headers", async () => {
    const [scheme, rest] = authorization.split(" Credential=");
    const [credential, date, nonce, signature] = `Credential=${rest}`.split(
      ", ",
    );
    const oldForm = `${scheme} ${credential}, ${signature}`;
    const broken: Array<[string, string]> = [
      ["another scheme", "Bearer x"],
      ["the old form", oldForm],
      ["no date", `${scheme} ${credential}, ${nonce}, ${signature}`],
      ["no nonce", `${scheme} ${credential}, ${date}, ${signature}`],
      ["empty nonce", authorization.replace("Nonce=n-1", "Nonce=")],
      ["nonce too long", authorization.replace("n-1", "n".repeat(129))],
      ["date not ISO", authorization.replace(date, "Date=yesterday")],
      ["date with a fraction", authorization.replace("Z,", ".000Z,")],
      [
        "date twice",
        `${scheme} ${credential}, ${date}, ${date}, ${nonce}, ${signature}`,
      ],
      [
        "out of order",
        `${scheme} ${credential}, ${nonce}, ${date}, ${signature}`,
      ],
      ["no space", authorization.replace(", Nonce", ",Nonce")],
      ["lower-case parameter", authorization.replace("Date=", "date=")],
      ["short signature", authorization.slice(0, -2)],
      [
        "upper-case hex",
        authorization.replace(
          /Signature=.*/,
          (s) => s.toUpperCase().replace("SIGNATURE", "Signature"),
        ),
      ],
      ["trailing space", `${authorization} `],
    ];
    for (const [name, value] of broken) {
      assert.notEqual(value, authorization, name);
      assert.deepEqual(
        await verify({ headers: withAuthorization(value) }),
        { ok: false, reason: "malformed" },
        name,
      );
    }
    // The old form, with the old headers beside it, is refused just the same.
    const oldHeaders = {
      ...withAuthorization(oldForm),
      "x-runplane-date": date.slice("Date=".length),
      "x-runplane-nonce": "n-1",
    };
    assert.deepEqual(
      await verify({ headers: oldHeaders }),
      { ok: false, reason: "malformed" },
    );
  });
});

Deno.test("Client with keypair credentials signs every request as the scheme says", async (t) => {
  for (const hashType of ["sha256", "sha384", "sha512"] as const) {
    await t.step(hashType, async () => {
      await using server = startServer(() => json({ ok: true }));
      await using client = testClient(server.url, {
        credentials: new Credentials(KEY),
        config: { hashType },
      });
      await client.get("/projects", { query: { limit: 5, q: "a b" } });
      await client.post("/projects", { name: "p\u00e9" });
      await client.delete("/projects/7");
      assert.equal(server.requests.length, 3);
      for (const request of server.requests) {
        await assertSignedBy(received(request), "AK1", KEY.secretKey, hashType);
        assert.ok(!request.text.includes(KEY.secretKey));
      }
      assert.equal(server.requests[0].path, "/api/v1/projects?limit=5&q=a+b");
    });
  }
});

Deno.test("Client with keypair credentials signs every retry afresh", async () => {
  await using server = startServer((_request, index) =>
    index < 2
      ? json({ error: { code: "busy", message: "Busy" } }, { status: 503 })
      : json({ id: "p1" })
  );
  await using client = testClient(server.url, {
    credentials: new Credentials(KEY),
  });
  assert.deepEqual(await client.post("/projects", { name: "a" }), { id: "p1" });
  assert.equal(server.requests.length, 3);
  const nonces = new Set<string | null>();
  for (const request of server.requests) {
    await assertSignedBy(received(request), "AK1", KEY.secretKey, "sha256");
    nonces.add(nonceOf(request.headers) ?? null);
  }
  assert.equal(nonces.size, 3, "every attempt has its own nonce");
});

Deno.test("Client with keypair credentials signs for the new host after failover", async () => {
  await using live = startServer(() => json({ ok: true }));
  // The pool starts at a random endpoint: try fresh lists until one starts
  // at the dead endpoint, so that failover really happens.
  for (let tries = 0; tries < 40; tries++) {
    await using dead = startRawServer(dropConnection);
    await using client = testClient([dead.url, live.url], {
      credentials: new Credentials(KEY),
      config: { maxRetries: 0 },
    });
    const before = live.requests.length;
    await client.post("/projects", { name: "a" });
    if (dead.count === 0) continue;
    const deadHeaders = headHeaders(dead.heads[0]);
    const deadUrl = new URL("/api/v1/projects", dead.url);
    assert.equal(deadHeaders.get("host"), deadUrl.host);
    await assertSignedBy(
      {
        method: "POST",
        url: deadUrl,
        headers: deadHeaders,
        body: encoder.encode('{"name":"a"}'),
      },
      "AK1",
      KEY.secretKey,
      "sha256",
    );
    const liveRequest = live.requests[before];
    assert.notEqual(liveRequest.url.host, deadUrl.host);
    await assertSignedBy(received(liveRequest), "AK1", KEY.secretKey, "sha256");
    assert.notEqual(nonceOf(liveRequest.headers), nonceOf(deadHeaders));
    assert.equal(
      liveRequest.headers.get("idempotency-key"),
      deadHeaders.get("idempotency-key"),
    );
    return;
  }
  assert.fail("No endpoint pool started at the first endpoint in 40 tries");
});

Deno.test("signRequestSync() signs the path and host exactly as URL parses them", () => {
  const pieces = fc.constantFrom(
    "a",
    "Z",
    "0",
    "-",
    ".",
    "_",
    "~",
    "%",
    "%2e",
    "%2E",
    "/",
    "//",
    "?",
    "&",
    "=",
    "+",
    ":",
    "@",
    "!",
    "$",
    "'",
    "(",
    "*",
    ",",
    ";",
    " ",
    '"',
    "<",
    ">",
    "`",
    "{",
    "|",
    "^",
    "\\",
    "#",
    "é",
    "..",
    "./",
  );
  fc.assert(
    fc.property(
      fc.constantFrom(
        "http://127.0.0.1:4200",
        "HTTP://Example.COM:80",
        "https://h.example:443/base",
        "http://user:pw@h.example",
      ),
      // A bare "/" too, so a dot segment can come first.
      fc.constantFrom("/api/v1/", "/"),
      fc.array(pieces, { maxLength: 12 }),
      (origin, prefix, parts) => {
        const raw = `${origin}${prefix}${parts.join("")}`;
        const url = new URL(raw);
        const signed = signRequestSync(
          { method: "GET", url: raw },
          KEY,
          { nonce: "n", date: new Date(0) },
        );
        const lines = signed.stringToSign.split("\n");
        assert.equal(lines[1], url.pathname + url.search, raw);
        assert.equal(lines[4], `host:${url.host}`, raw);
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("signRequestSync(): one SigningKeyCache signs right across hosts, days and hash types, in any order", () => {
  const cache = new SigningKeyCache();
  const key = { accessKey: "AK1", secretKey: "s3cret" };
  const cases: Array<[string, string, HashType]> = [
    ["http://a.example:4200/api/v1/projects", "2026-11-29T23:59:59Z", "sha256"],
    ["http://b.example:4200/api/v1/projects", "2026-11-29T23:59:59Z", "sha256"],
    ["http://a.example:4200/api/v1/projects", "2026-11-29T23:59:59Z", "sha512"],
    ["http://a.example:4200/api/v1/projects", "2026-11-30T00:00:00Z", "sha256"],
    ["http://b.example:4200/api/v1/projects", "2026-11-30T00:00:00Z", "sha256"],
    ["http://a.example:4200/api/v1/projects", "2026-11-29T23:59:59Z", "sha256"],
  ];
  for (const [url, date, hashType] of [...cases, ...cases]) {
    const request = { method: "GET", url, headers: {} };
    const options = { hashType, date: new Date(date), nonce: "n-1" };
    assert.equal(
      signRequestSync(request, key, { ...options, cache }).signature,
      signRequestSync(request, key, options).signature,
      `${url} ${date} ${hashType}`,
    );
  }
});

Deno.test("utf8(): the bytes TextEncoder gives, for any string, long ones and lone surrogates included", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        // Any UTF-16 code unit, so lone surrogates too, and long enough to
        // outgrow the reused buffer.
        fc.string({
          unit: fc.integer({ min: 0, max: 0xffff }).map((code) =>
            String.fromCharCode(code)
          ),
          maxLength: 2_000,
          size: "max",
        }),
        fc.string({ unit: "grapheme", maxLength: 300 }),
      ),
      (text) => {
        assert.deepEqual(
          Array.from(utf8(text)),
          Array.from(encoder.encode(text)),
        );
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("Client with an access key that Authorization cannot carry fails with InvalidArgumentError and sends nothing", async () => {
  await using server = startServer(() => json({ ok: true }));
  await using client = testClient(server.url, {
    credentials: new Credentials({ accessKey: "AK 1", secretKey: "s" }),
  });
  await assert.rejects(
    client.get("/projects"),
    (error: unknown) =>
      error instanceof InvalidArgumentError &&
      error.message.startsWith("Cannot sign with this access key"),
  );
  assert.equal(server.requests.length, 0);
});
