import assert from "node:assert/strict";
import { type SigningKey, signRequest } from "../../auth/hmac.ts";
import { randomKey } from "../_helpers/engine.ts";
import { testDatabase } from "../_helpers/postgres.ts";
import { basic, call, createFlowRun } from "../server/_helpers.ts";
import { onEach, startInstances, stopInstances, tally } from "./_helpers.ts";
import { PASSWORD, seedTenant } from "../_helpers/seed.ts";
import {
  ServerStartError,
  spawnReferenceServer,
} from "../_helpers/reference_server.ts";
import { rejection } from "../_helpers/client.ts";

Deno.test("two server processes on one PostgreSQL database keep every rule of the store", async (t) => {
  await using database = await testDatabase();
  const serverKey = randomKey();
  // Started together on an empty database: the migrations take turns.
  const instances = await startInstances(2, database.url, serverKey);
  const [a, b] = instances.map((instance) => ({ url: instance.url! }));
  try {
    const tenant = await seedTenant(a, "cluster");
    const member = tenant.tokens.member;

    await t.step(
      "a tag limit of 3 holds: 2 x 50 starts, 3 RUNNING",
      async () => {
        const { flowRunId } = await createFlowRun(a, tenant);
        const limit = await call(b, "PUT", "/concurrency-limits/gpu", {
          token: tenant.tokens.admin,
          body: { limit: 3 },
        });
        assert.equal(limit.status, 200);
        const taskRuns = await onEach(
          instances,
          50,
          (server, i) =>
            call(server, "POST", "/task-runs", {
              token: member,
              body: { flowRunId, taskId: `task-${i}`, tags: ["gpu"] },
            }),
        );
        const states = await onEach(instances, 50, async (server, i) => {
          const answer = await call(
            server,
            "POST",
            `/task-runs/${taskRuns[i].body.id}/state`,
            { token: member, body: { version: 1, state: "RUNNING" } },
          );
          assert.equal(answer.status, 200);
          return answer.body.state.type as string;
        });
        assert.deepEqual(
          Object.fromEntries(tally(states)),
          { RUNNING: 3, QUEUED: 97 },
        );
      },
    );

    await t.step(
      "2 x 50 writers at one version: 1 succeeds, 99 stale_version",
      async () => {
        const { flowRunId } = await createFlowRun(b, tenant);
        const statuses = await onEach(instances, 50, async (server) => {
          const answer = await call(
            server,
            "POST",
            `/flow-runs/${flowRunId}/state`,
            {
              token: member,
              body: { version: 1, state: "RUNNING" },
            },
          );
          return answer.status === 409
            ? answer.body.error.code as string
            : String(answer.status);
        });
        assert.deepEqual(
          Object.fromEntries(tally(statuses)),
          { "200": 1, stale_version: 99 },
        );
      },
    );

    await t.step(
      "2 x 10 repeats of one idempotency key: one run, identical answers",
      async () => {
        const { flowId } = await createFlowRun(a, tenant);
        const answers = await onEach(
          instances,
          10,
          (server) =>
            call(server, "POST", "/flow-runs", {
              token: member,
              headers: { "idempotency-key": "cluster-once" },
              body: { flowId, parameters: { n: 1 } },
            }),
        );
        assert.deepEqual(new Set(answers.map((x) => x.status)), new Set([201]));
        assert.equal(
          new Set(answers.map((x) => JSON.stringify(x.body))).size,
          1,
        );
        const runs = await call(b, "GET", `/flow-runs?flowId=${flowId}`, {
          token: member,
        });
        assert.equal(runs.body.items.length, 2); // createFlowRun's own, and this one
      },
    );

    await t.step(
      "a refresh retried through both instances gets one answer; a real second use revokes the family",
      async () => {
        const login = await call(a, "POST", "/auth/tenant-login", {
          token: null,
          headers: {
            authorization: basic(tenant.usernames.member, PASSWORD),
          },
          body: { slug: tenant.slug },
        });
        assert.equal(login.status, 200);
        const refresh = (server: { url: URL }, key?: string) =>
          call(server, "POST", "/auth/refresh", {
            token: null,
            headers: key === undefined ? {} : { "idempotency-key": key },
            body: { refreshToken: login.body.refreshToken },
          });
        const retries = await onEach(
          instances,
          3,
          (server) => refresh(server, "refresh-once"),
        );
        assert.deepEqual(new Set(retries.map((x) => x.status)), new Set([200]));
        assert.equal(
          new Set(retries.map((x) => JSON.stringify(x.body))).size,
          1,
        );
        const next = retries[0].body;
        assert.equal(
          (await call(b, "GET", "/me", { token: next.accessToken })).status,
          200,
        );
        assert.equal((await refresh(b)).status, 401);
        assert.equal(
          (await call(a, "GET", "/me", { token: next.accessToken })).status,
          401,
        );
      },
    );

    await t.step(
      "2 x 50 uses of one HMAC nonce: 1 accepted, 99 refused",
      async () => {
        const created = await call(a, "POST", "/access-keys", {
          body: { username: tenant.usernames.member, tenant: tenant.slug },
        });
        const key: SigningKey = created.body;
        // Signed once for a's host; sent to b with that Host header too.
        const url = new URL("/api/v1/me", a.url);
        const signed = await signRequest({ method: "GET", url }, key);
        const statuses = await onEach(instances, 50, async (server) => {
          const response = await fetch(new URL("/api/v1/me", server.url), {
            headers: { ...signed.headers, host: url.host },
          });
          await response.body?.cancel();
          return response.status;
        });
        assert.deepEqual(
          Object.fromEntries(tally(statuses)),
          { "200": 1, "401": 99 },
        );
      },
    );

    await t.step(
      "2 x 50 registrations of one flow name: one group, versions 1..100, the newest unarchived",
      async () => {
        const project = await call(a, "POST", "/projects", {
          token: member,
          body: { name: "registrations" },
        });
        const answers = await onEach(
          instances,
          50,
          (server) =>
            call(server, "POST", "/flows", {
              token: member,
              body: { name: "etl", projectId: project.body.id },
            }),
        );
        assert.deepEqual(new Set(answers.map((x) => x.status)), new Set([201]));
        const flows = (await call(
          b,
          "GET",
          `/flows?projectId=${project.body.id}`,
          { token: member },
        )).body.items as Array<
          { version: number; versionGroupId: string; archived: boolean }
        >;
        assert.equal(new Set(flows.map((flow) => flow.versionGroupId)).size, 1);
        assert.deepEqual(
          flows.map((flow) => flow.version).sort((x, y) => x - y),
          Array.from({ length: 100 }, (_, i) => i + 1),
        );
        assert.deepEqual(
          flows.filter((flow) => !flow.archived).map((flow) => flow.version),
          [100],
        );
      },
    );

    await t.step(
      "a password changed through one instance ends the remembered login on the other",
      async () => {
        const username = tenant.usernames.viewer;
        const me = (server: { url: URL }, password: string) =>
          call(server, "GET", "/me", {
            token: null,
            headers: { authorization: basic(username, password) },
          });
        assert.equal((await me(b, PASSWORD)).status, 200);
        const changed = await call(a, "PUT", `/users/${username}/password`, {
          body: { password: "a brand new passphrase" },
        });
        assert.equal(changed.status, 204);
        assert.equal((await me(b, PASSWORD)).status, 401);
        assert.equal((await me(b, "a brand new passphrase")).status, 200);
      },
    );

    await t.step(
      "RUNPLANE_DATABASE_URL, without --database, joins the deployment",
      async () => {
        const third = await spawnReferenceServer({
          env: {
            RUNPLANE_DATABASE_URL: database.url,
            RUNPLANE_SERVER_KEY: serverKey,
          },
        });
        try {
          assert.ok(third.url, "it starts");
          const listed = await call({ url: third.url }, "GET", "/tenants");
          assert.ok(
            listed.body.items.some((item: { slug: string }) =>
              item.slug === tenant.slug
            ),
          );
        } finally {
          await third.kill("SIGTERM");
        }
      },
    );

    await t.step(
      "an instance started with another server key refuses to start",
      async () => {
        const refused = await rejection(() =>
          spawnReferenceServer({
            database: database.url,
            env: { RUNPLANE_SERVER_KEY: randomKey() },
          })
        );
        assert.ok(refused instanceof ServerStartError, String(refused));
        const { code, stderr } = refused;
        assert.notEqual(code, 0);
        assert.match(stderr, /is not the key the database .* was sealed with/);
        assert.doesNotMatch(stderr, /postgres@/);
      },
    );

    await t.step(
      "the admin token is the deployment's: an instance started with a new one changes it on every instance",
      async () => {
        assert.equal((await call(b, "GET", "/me")).status, 200);
        const third = await spawnReferenceServer({
          database: database.url,
          adminToken: "the-new-admin-token",
          env: { RUNPLANE_SERVER_KEY: serverKey },
        });
        try {
          assert.equal((await call(a, "GET", "/me")).status, 401);
          assert.equal(
            (await call(b, "GET", "/me", { token: "the-new-admin-token" }))
              .status,
            200,
          );
        } finally {
          await third.kill("SIGTERM");
        }
      },
    );
  } finally {
    await stopInstances(instances);
  }
});
