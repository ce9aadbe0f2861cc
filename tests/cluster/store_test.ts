import assert from "node:assert/strict";
import { openPostgres } from "../../server/db/postgres_database.ts";
import type { Store } from "../../server/store.ts";
import { storeOver } from "../../server/store/open_store.ts";
import { testDatabase } from "../_helpers/postgres.ts";

/** Two stores on one database, as two instances have, and a flow run. */
async function twoStores(url: string) {
  const first = storeOver(await openPostgres(url));
  const second = storeOver(await openPostgres(url));
  const tenant = await first.createTenant({ slug: "t", name: "t" });
  const project = await first.createProject(tenant.id, {
    name: "p",
    description: null,
  });
  const flow = await first.createFlow(tenant.id, {
    name: "f",
    projectId: project.id,
    definition: null,
    scheduleActive: false,
  });
  const { run } = await first.createFlowRun(tenant.id, {
    flowId: flow.id,
    parameters: {},
    context: {},
    scheduledStartTime: new Date().toISOString(),
    idempotencyExpiresAt: 0,
  });
  return {
    first,
    second,
    tenantId: tenant.id,
    flowRunId: run.id,
    async [Symbol.asyncDispose]() {
      await first.close();
      await second.close();
    },
  };
}

/** A transaction on `store` that stays open until `release()`. */
function holdOpen(store: Store, work: () => Promise<unknown>) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  let ready!: () => void;
  const started = new Promise<void>((resolve) => ready = resolve);
  const done = store.transaction(async () => {
    await work();
    ready();
    await released;
  });
  return { started, release, done };
}

Deno.test("Store.listLogs() on PostgreSQL returns a line whose transaction commits late, once, to a reader paging by cursor", async () => {
  await using database = await testDatabase();
  await using stores = await twoStores(database.url);
  const { first, second, tenantId, flowRunId } = stores;
  const line = (message: string) => ({
    flowRunId,
    level: "INFO",
    message,
    timestamp: new Date().toISOString(),
  });
  const late = holdOpen(first, () => first.writeLogs(tenantId, [line("late")]));
  await late.started;
  await second.writeLogs(tenantId, [line("early 1")]);
  await second.writeLogs(tenantId, [line("early 2")]);

  // A reader paging one line at a time, resuming from its last cursor.
  const seen: string[] = [];
  let cursor: { key: number; id: string } | undefined;
  const read = async () => {
    for (let pages = 0; pages < 10; pages++) {
      const page = await second.listLogs(tenantId, {
        flowRunId,
        limit: 1,
        after: cursor,
      });
      seen.push(...page.items.map((item) => item.message));
      if (page.next === null) return;
      cursor = page.next;
    }
  };
  await read();
  late.release();
  await late.done;
  await read();
  assert.deepEqual(
    [...seen].sort(),
    ["early 1", "early 2", "late"],
    `each committed line once, got ${JSON.stringify(seen)}`,
  );
});

Deno.test("Store.sweep() on PostgreSQL runs on one instance at a time", async () => {
  await using database = await testDatabase();
  await using stores = await twoStores(database.url);
  const { first, second } = stores;
  assert.equal(await second.useNonce("key", "n1", Date.now() - 1_000), true);
  // The first instance is sweeping (and holds the sweep) ...
  const sweeping = holdOpen(first, () => first.sweep(0, 1));
  try {
    await sweeping.started;
    // ... so the second leaves the expired nonce to it.
    await second.sweep(Date.now(), 1);
    assert.equal(
      await second.useNonce("key", "n1", Date.now() + 60_000),
      false,
    );
  } finally {
    sweeping.release();
    await sweeping.done;
  }
  await second.sweep(Date.now(), 1);
  assert.equal(await second.useNonce("key", "n1", Date.now() + 60_000), true);
});
