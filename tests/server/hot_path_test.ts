import { deepEqual, equal } from "node:assert/strict";
import { call, createFlowRun } from "./_helpers.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";
import { seedTenant } from "../_helpers/seed.ts";

Deno.test("a new flow run is answered as a read of it gives it, history aside", async () => {
  await using server = await startReferenceServer();
  const tenant = await seedTenant(server, "answers");
  const { flowId } = await createFlowRun(server, tenant);
  const token = tenant.tokens.member;
  const created = await call(server, "POST", "/flow-runs", {
    token,
    body: {
      flowId,
      name: "nightly",
      parameters: { b: [1, { y: 2, x: 1 }], a: "é" },
      context: { z: null },
    },
  });
  equal(created.status, 201);
  const read = await call(server, "GET", `/flow-runs/${created.body.id}`, {
    token,
  });
  const { history, ...run } = read.body;
  deepEqual(created.body, run);
  // Same key order too: the parameters come back in their stored form.
  equal(JSON.stringify(created.body), JSON.stringify(run));
  deepEqual(history, [run.state]);
});
