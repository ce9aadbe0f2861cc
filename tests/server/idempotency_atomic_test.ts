import assert from "node:assert/strict";
import { CryptoBox } from "../../server/crypto_box.ts";
import { IdempotencyGuard } from "../../server/idempotency.ts";
import { openStore } from "../../server/store/open_store.ts";
import { engineOptions } from "../_helpers/engine.ts";

Deno.test("IdempotencyGuard.run() commits the handler's writes with the stored answer, or neither", async () => {
  const { databaseUrl } = await engineOptions();
  const store = await openStore(databaseUrl ?? ":memory:");
  try {
    const box = await CryptoBox.fromKeyBytes(
      crypto.getRandomValues(new Uint8Array(32)),
    );
    // The answer cannot be stored, as when the process dies right after
    // the handler: the tenant the handler created must not stay behind,
    // or the retry would create a second one.
    const failing = {
      ...store,
      saveIdempotentResponse: () =>
        Promise.reject(new Error("The disk is full")),
    };
    const guard = new IdempotencyGuard(failing, box);
    const call = {
      request: new Request("http://127.0.0.1/api/v1/tenants", {
        method: "POST",
      }),
      body: new Uint8Array(),
      scope: "admin",
      key: "create-acme",
      sealed: false,
    };
    await assert.rejects(
      guard.run(call, async () => {
        const tenant = await store.createTenant({ slug: "acme", name: "Acme" });
        return Response.json(tenant, { status: 201 });
      }),
      /The disk is full/,
    );
    assert.equal(await store.tenantBySlug("acme"), undefined);

    // With the answer stored, the write stays and a repeat replays it.
    const working = new IdempotencyGuard(store, box);
    let runs = 0;
    const create = () =>
      working.run(call, async () => {
        runs++;
        return Response.json(
          await store.createTenant({ slug: "acme", name: "Acme" }),
          { status: 201 },
        );
      });
    const first = await create();
    const again = await create();
    assert.equal(runs, 1);
    assert.equal(again.headers.get("idempotent-replayed"), "true");
    assert.deepEqual(await again.json(), await first.json());
    assert.ok(await store.tenantBySlug("acme"));
  } finally {
    await store.close();
  }
});
