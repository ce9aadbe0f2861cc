import assert from "node:assert/strict";
import { type SigningKey, signRequest } from "../../auth/hmac.ts";
import { type Answer, call } from "../server/_helpers.ts";
import { assertError } from "./_helpers.ts";
import { seedTenant } from "../_helpers/seed.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

const MINUTE = 60_000;

/** A request as it goes over the wire: its signature headers were made for `signed`. */
interface Forgery {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

Deno.test("server HMAC attack table: every forgery is a generic 401", async (t) => {
  await using server = await startReferenceServer();
  const a = await seedTenant(server, "hmac-a");
  const b = await seedTenant(server, "hmac-b");
  const created = await call(server, "POST", "/access-keys", {
    body: { username: a.usernames.member, tenant: a.slug },
  });
  assert.equal(created.status, 201);
  const key: SigningKey = created.body;
  const origin = server.url.origin;

  /** Signs `signed` (with options), then sends `sent` (default: the same request). */
  async function attempt(
    signed: Forgery,
    options: { date?: Date; nonce?: string; host?: string; key?: SigningKey } =
      {},
    sent: Forgery = signed,
    mangle?: (headers: Headers) => void,
  ): Promise<Answer> {
    const headers = new Headers({ ...signed.headers });
    if (signed.body !== undefined) {
      headers.set("content-type", "application/json");
    }
    const url = new URL(`/api/v1${signed.path}`, options.host ?? origin);
    const signature = await signRequest(
      { method: signed.method, url, headers, body: signed.body },
      options.key ?? key,
      { date: options.date, nonce: options.nonce },
    );
    // The signature is one header: Authorization, with the date and nonce.
    assert.deepEqual(Object.keys(signature.headers), ["authorization"]);
    const wire = new Headers({ ...sent.headers, ...signature.headers });
    if (sent.body !== undefined) wire.set("content-type", "application/json");
    mangle?.(wire);
    const response = await fetch(new URL(`/api/v1${sent.path}`, origin), {
      method: sent.method,
      headers: wire,
      body: sent.body,
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? JSON.parse(text) : undefined,
    };
  }

  const create = (name: string): Forgery => ({
    method: "POST",
    path: "/projects",
    body: JSON.stringify({ name }),
  });
  const list: Forgery = { method: "GET", path: "/projects?limit=5" };

  /** Replaces one parameter of the wire's `Authorization` (or drops it). */
  function parameter(name: string, value: string | undefined) {
    return (headers: Headers) => {
      const parts = headers.get("authorization")!.split(", ");
      const index = parts.findIndex((part) =>
        part.startsWith(`${name}=`) || part.includes(` ${name}=`)
      );
      assert.ok(index >= 0, name);
      if (value === undefined) parts.splice(index, 1);
      else parts[index] = parts[index].replace(/=.*/, `=${value}`);
      headers.set("authorization", parts.join(", "));
    };
  }

  function assertRejected(answer: Answer, context: string) {
    assertError(answer, 401, "unauthenticated", context);
    assert.equal(answer.body.error.message, "Authentication failed", context);
  }

  await t.step("the honest requests pass (the control)", async () => {
    assert.equal((await attempt(create("honest"))).status, 201);
    assert.equal((await attempt(list)).status, 200);
    assert.equal(
      (await attempt(list, { date: new Date(Date.now() - 4 * MINUTE) }))
        .status,
      200,
    );
  });

  const table: Array<[string, () => Promise<Answer>]> = [
    ["replay", async () => {
      const nonce = crypto.randomUUID();
      const date = new Date();
      const first = await attempt(create("replayed"), { nonce, date });
      assert.equal(first.status, 201);
      return await attempt(create("replayed"), { nonce, date });
    }],
    ["replay of a GET", async () => {
      const nonce = crypto.randomUUID();
      const date = new Date();
      assert.equal((await attempt(list, { nonce, date })).status, 200);
      return await attempt(list, { nonce, date });
    }],
    [
      "stale date",
      () =>
        attempt(create("stale"), { date: new Date(Date.now() - 6 * MINUTE) }),
    ],
    [
      "future date",
      () =>
        attempt(create("future"), { date: new Date(Date.now() + 6 * MINUTE) }),
    ],
    ["tampered body", () => attempt(create("signed"), {}, create("tampered"))],
    [
      "tampered query",
      () => attempt(list, {}, { method: "GET", path: "/projects?limit=6" }),
    ],
    [
      "query added",
      () => attempt({ method: "GET", path: "/projects" }, {}, list),
    ],
    [
      "tampered path",
      () => attempt(list, {}, { method: "GET", path: "/flows?limit=5" }),
    ],
    ["tampered method", () =>
      attempt(
        { method: "DELETE", path: "/projects/x" },
        {},
        { method: "GET", path: "/projects/x" },
      )],
    ["other host", () =>
      attempt(create("host"), {
        host: `http://localhost:${server.url.port}`,
      })],
    [
      "tampered content type",
      () =>
        attempt(
          create("type"),
          {},
          create("type"),
          (headers) =>
            headers.set("content-type", "application/json; charset=latin1"),
        ),
    ],
    [
      "tampered date",
      () =>
        attempt(
          list,
          {},
          list,
          parameter(
            "Date",
            new Date(Date.now() - 1_000).toISOString().slice(0, 19) + "Z",
          ),
        ),
    ],
    [
      "tampered nonce",
      () => attempt(list, {}, list, parameter("Nonce", crypto.randomUUID())),
    ],
    [
      "truncated signature",
      () =>
        attempt(list, {}, list, (headers) =>
          headers.set(
            "authorization",
            headers.get("authorization")!.slice(0, -2),
          )),
    ],
    [
      "signature of another key",
      () => attempt(list, { key: { ...key, secretKey: `${key.secretKey}x` } }),
    ],
    [
      "unknown access key",
      () =>
        attempt(list, { key: { accessKey: "RPAKUNKNOWN", secretKey: "x" } }),
    ],
    [
      "scheme without a signature",
      () =>
        attempt(list, {}, list, (headers) =>
          headers.set(
            "authorization",
            `RUNPLANE-HMAC-SHA256 Credential=${key.accessKey}`,
          )),
    ],
    ["unknown hash", () =>
      attempt(list, {}, list, (headers) =>
        headers.set(
          "authorization",
          headers.get("authorization")!.replace("SHA256", "MD5"),
        ))],
    [
      "missing date",
      () => attempt(list, {}, list, parameter("Date", undefined)),
    ],
    [
      "missing nonce",
      () => attempt(list, {}, list, parameter("Nonce", undefined)),
    ],
    [
      "malformed date",
      () => attempt(list, {}, list, parameter("Date", "2026-11-30")),
    ],
    [
      "empty nonce",
      () => attempt(list, {}, list, parameter("Nonce", "")),
    ],
    [
      "nonce over 128 characters",
      () => attempt(list, {}, list, parameter("Nonce", "n".repeat(129))),
    ],
    [
      "the old form: date and nonce in headers of their own",
      () =>
        attempt(list, {}, list, (headers) => {
          const value = headers.get("authorization")!;
          const date = /Date=([^,]+)/.exec(value)![1];
          const nonce = /Nonce=([^,]+)/.exec(value)![1];
          parameter("Date", undefined)(headers);
          parameter("Nonce", undefined)(headers);
          headers.set("x-runplane-date", date);
          headers.set("x-runplane-nonce", nonce);
        }),
    ],
    [
      "a huge header of the scheme",
      () =>
        attempt(
          list,
          {},
          list,
          parameter("Nonce", "n".repeat(12 * 1024)),
        ),
    ],
  ];
  for (const [name, run] of table) {
    await t.step(`${name} is 401`, async () => {
      assertRejected(await run(), name);
    });
  }

  await t.step(
    "another tenant's header on a keypair bound to a tenant is 404, as documented",
    async () => {
      // X-Runplane-Tenant is not signed: naming another tenant must not
      // widen the keypair's reach (docs/api.md: 404 if different).
      const answer = await attempt(
        {
          method: "GET",
          path: "/projects",
          headers: { "x-runplane-tenant": b.slug },
        },
      );
      assertError(answer, 404, "not_found", "other tenant header");
      const same = await attempt(
        {
          method: "GET",
          path: "/projects",
          headers: { "x-runplane-tenant": a.slug },
        },
      );
      assert.equal(same.status, 200);
    },
  );

  await t.step("no forgery created a project", async () => {
    const projects = await call(server, "GET", "/projects", {
      token: a.tokens.viewer,
    });
    const names = projects.body.items.map((p: { name: string }) => p.name)
      .sort();
    assert.deepEqual(names, ["honest", "replayed"]);
  });
});
