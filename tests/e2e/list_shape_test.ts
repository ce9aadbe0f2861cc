import {
  type ReferenceServer,
  startReferenceServer,
} from "../_helpers/reference_server.ts";
import assert from "node:assert/strict";
import type { Client } from "../../client/client.ts";
import type { Listing } from "../../client/resources/listing.ts";
import type { ListOptions } from "../../client/resources/types.ts";
import type { CallOptions } from "../../client/request_options.ts";
import { JUPYTER_DISPLAY, type MimeBundle } from "../../jupyter/mod.ts";
import { createTenant, type TestTenant, uniqueName } from "./_helpers.ts";

/** A listing of the reference server, and how to fill it with five items. */
interface Row {
  /** The listing's path below `/api/v1`. */
  path: string;
  /** The scope of the token that lists. */
  scope: "tenant" | "user";
  /** Makes five items and returns their keys, in the listing's order. */
  seed(server: ReferenceServer, tenant: TestTenant): Promise<string[]>;
  /** The listing; its item type varies by row. */
  list(
    client: Client,
    options: ListOptions,
    call?: CallOptions,
    // deno-lint-ignore no-explicit-any
  ): Listing<any>;
  /** An item's key. */
  key(item: object): string;
}

const FIVE = [1, 2, 3, 4, 5];
const id = (item: object) => (item as { id: string }).id;

const ROWS: Record<string, Row> = {
  "projects.list()": {
    path: "/projects",
    scope: "tenant",
    async seed(_server, { client }) {
      const keys: string[] = [];
      for (const i of FIVE) {
        keys.push((await client.projects.create({ name: `p${i}` })).id);
      }
      return keys;
    },
    list: (client, options, call) => client.projects.list(options, call),
    key: id,
  },
  "flows.list()": {
    path: "/flows",
    scope: "tenant",
    async seed(_server, { client }) {
      const project = await client.projects.create({ name: "flows" });
      const keys: string[] = [];
      for (const i of FIVE) {
        const flow = await client.flows.register({
          name: `f${i}`,
          project: project.id,
        });
        keys.push(flow.id);
      }
      return keys;
    },
    list: (client, options, call) => client.flows.list(options, call),
    key: id,
  },
  "secrets.list()": {
    path: "/secrets",
    scope: "tenant",
    async seed(_server, { client }) {
      // Listed by name, whatever the order they were set in.
      for (const name of ["s5", "s3", "s1", "s4", "s2"]) {
        await client.secrets.set(name, `value-${name}`);
      }
      return ["s1", "s2", "s3", "s4", "s5"];
    },
    list: (client, options, call) => client.secrets.list(options, call),
    key: (item) => (item as { name: string }).name,
  },
  "tenants.list() of a user": {
    path: "/tenants",
    // A token not bound to a tenant sees every membership of its user.
    scope: "user",
    async seed(server, tenant) {
      const keys = [tenant.slug];
      for (const _ of FIVE.slice(1)) {
        const slug = uniqueName("m");
        await server.admin.tenants.create({ slug, name: slug });
        await server.admin.users.addMembership({
          username: tenant.username,
          tenant: slug,
          role: "viewer",
        });
        keys.push(slug);
      }
      return keys;
    },
    list: (client, options, call) => client.tenants.list(options, call),
    key: (item) => (item as { slug: string }).slug,
  },
  "accessKeys.list()": {
    path: "/access-keys",
    scope: "tenant",
    async seed(server, tenant) {
      const keys: string[] = [];
      for (const _ of FIVE) {
        const { accessKey } = await server.admin.accessKeys.create({
          username: tenant.username,
          tenant: tenant.slug,
        });
        keys.unshift(accessKey); // newest first
      }
      return keys;
    },
    list: (client, options, call) => client.accessKeys.list(options, call),
    key: (item) => (item as { accessKey: string }).accessKey,
  },
};

Deno.test("every listing is one Listing that the server pages with limit and cursor", async (t) => {
  await using server = await startReferenceServer();
  for (const [name, row] of Object.entries(ROWS)) {
    await t.step(name, async (t) => {
      const tenant = await createTenant(server, "admin");
      const keys = await row.seed(server, tenant);
      const { token } = await server.admin.apiTokens.create({
        name: "counted",
        scope: row.scope,
        username: tenant.username,
        tenant: row.scope === "tenant" ? tenant.slug : undefined,
      });
      const requests: Request[] = [];
      // Counts the requests, which still go over a real socket.
      const client = server.client({ token }, {
        fetch: (input: string | URL | Request, init?: RequestInit) => {
          requests.push(new Request(input, init));
          return fetch(input, init);
        },
      });
      const keysOf = (items: object[]) => items.map(row.key);

      await t.step(
        "await gives the first page, getNextPage() the next",
        async () => {
          const first = await row.list(client, { limit: 2 });
          assert.deepEqual(keysOf(first.items), keys.slice(0, 2));
          assert.ok(first.hasNextPage());
          const second = await first.getNextPage();
          assert.deepEqual(keysOf(second.items), keys.slice(2, 4));
          const last = await second.getNextPage();
          assert.deepEqual(keysOf(last.items), keys.slice(4));
          assert.equal(last.hasNextPage(), false);
        },
      );

      await t.step("for await walks every item across pages", async () => {
        const walked: object[] = [];
        for await (const item of row.list(client, { limit: 2 })) {
          walked.push(item);
        }
        assert.deepEqual(keysOf(walked), keys);
      });

      await t.step(
        "toArray({ maxItems }) fetches only the pages it needs",
        async () => {
          requests.length = 0;
          const three = await row.list(client, { limit: 2 }).toArray({
            maxItems: 3,
          });
          assert.deepEqual(keysOf(three), keys.slice(0, 3));
          assert.equal(requests.length, 2);
          requests.length = 0;
          assert.deepEqual(keysOf(await row.list(client, {}).toArray()), keys);
          assert.equal(requests.length, 1, "the default page holds all five");
        },
      );

      await t.step("the call's options go with every page", async () => {
        requests.length = 0;
        await row.list(client, { limit: 2 }, { headers: { "x-page": "yes" } })
          .toArray();
        assert.equal(requests.length, 3);
        for (const request of requests) {
          assert.equal(request.headers.get("x-page"), "yes");
          assert.equal(new URL(request.url).searchParams.get("limit"), "2");
        }
      });

      await t.step(
        "over HTTP: limit, an opaque cursor, and 400 for a bad one",
        async () => {
          const get = (query: string) =>
            fetch(new URL(`/api/v1${row.path}?${query}`, server.url), {
              headers: { authorization: `Bearer ${token}` },
            });
          const page = await (await get("limit=4")).json();
          assert.equal(page.items.length, 4);
          assert.equal(typeof page.nextCursor, "string");
          const rest = await (await get(
            `limit=4&cursor=${encodeURIComponent(page.nextCursor)}`,
          )).json();
          assert.deepEqual(keysOf(rest.items), keys.slice(4));
          assert.equal(rest.nextCursor, null);
          for (const bad of ["cursor=not-ours", "limit=0", "limit=501"]) {
            const response = await get(bad);
            assert.equal(response.status, 400, bad);
            assert.equal(
              (await response.json()).error.code,
              "invalid_parameter",
            );
          }
        },
      );
    });
  }

  await t.step("the system admin pages through every tenant once", async () => {
    const all = await server.admin.tenants.list({ limit: 500 });
    assert.equal(all.hasNextPage(), false);
    const walked = await server.admin.tenants.list({ limit: 2 }).toArray();
    assert.deepEqual(
      walked.map((tenant) => tenant.slug),
      all.items.map((tenant) => tenant.slug),
    );
    assert.ok(walked.length > 5);
  });

  await t.step(
    "a notebook shows a page as the table of its items",
    async () => {
      const tenant = await createTenant(server, "member");
      await tenant.client.projects.create({ name: "shown-in-a-notebook" });
      const page = await tenant.client.projects.list();
      const display = (page as unknown as Record<
        symbol,
        () => Promise<MimeBundle>
      >)[JUPYTER_DISPLAY];
      assert.ok(
        (await display.call(page))["text/html"].includes(
          "shown-in-a-notebook",
        ),
      );
      assert.deepEqual(Object.keys(page), ["items", "nextCursor"]);
    },
  );

  await t.step("a tenant-bound token lists its one tenant", async () => {
    const tenant = await createTenant(server, "viewer");
    const page = await tenant.client.tenants.list({ limit: 1 });
    assert.deepEqual(page.items.map((item) => item.slug), [tenant.slug]);
    assert.equal(page.hasNextPage(), false);
  });

  await t.step("a cursor never reaches another tenant's items", async () => {
    const mine = await createTenant(server, "member");
    const theirs = await createTenant(server, "member");
    for (const name of ["a", "b", "c"]) {
      await theirs.client.projects.create({ name });
    }
    await mine.client.projects.create({ name: "only" });
    const first = await theirs.client.projects.list({ limit: 1 });
    // Their cursor, our tenant: our projects after that point, never theirs.
    const response = await fetch(
      new URL(`/api/v1/projects?cursor=${first.nextCursor}`, server.url),
      {
        headers: {
          authorization: `Bearer ${server.adminToken}`,
          "x-runplane-tenant": mine.slug,
        },
      },
    );
    const body = await response.json();
    assert.ok(
      body.items.every((project: { name: string }) => project.name === "only"),
    );
  });
});
