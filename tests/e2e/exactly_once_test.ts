import assert from "node:assert/strict";
import { createTenant } from "./_helpers.ts";
import { startFaultProxy } from "../_helpers/fault_proxy.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

Deno.test("flowRuns.create() through a lost answer creates exactly one run", async () => {
  await using server = await startReferenceServer();
  const tenant = await createTenant(server, "member");
  const project = await tenant.client.projects.create({ name: "p" });
  const flow = await tenant.client.flows.register({
    name: "f",
    project: project.id,
  });
  let seen = 0;
  await using proxy = startFaultProxy({
    target: server.url,
    faultFor: (head) =>
      head.startsWith("POST /api/v1/flow-runs ") && seen++ === 0
        ? "drop"
        : undefined,
  });
  const token = (await tenant.client.getAuthToken())!;
  const client = server.client({ token }, {
    endpoints: proxy.url.href,
    maxRetries: 3,
  });
  const run = await client.flowRuns.create({
    flowId: flow.id,
    parameters: { attempt: "once" },
  });
  assert.equal(proxy.faults.drop, 1);
  assert.ok(seen >= 2, "the client retried through the proxy");
  const runs = await Array.fromAsync(
    tenant.client.flowRuns.list({ flowId: flow.id }),
  );
  assert.deepEqual(runs.map((r) => r.id), [run.id]);
  await client.close();
});
