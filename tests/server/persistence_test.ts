import { deepEqual, equal, match } from "node:assert/strict";
import { call } from "./_helpers.ts";
import {
  spawnReferenceServer,
  startReferenceServer,
} from "../_helpers/reference_server.ts";

Deno.test("server keeps what it acknowledged across a restart", async () => {
  const folder = await Deno.makeTempDir();
  const databasePath = `${folder}/data/runplane.db`;
  try {
    {
      await using server = await startReferenceServer({ databasePath });
      await call(server, "POST", "/tenants", {
        body: { slug: "acme", name: "Acme" },
      });
      const put = await call(server, "PUT", "/secrets/api-key", {
        tenant: "acme",
        body: { value: "s3cret" },
      });
      equal(put.status, 200);
    }
    const keyFile = await Deno.stat(`${databasePath}.key`);
    equal(keyFile.mode! & 0o777, 0o600);
    const raw = await Deno.readFile(databasePath);
    equal(new TextDecoder().decode(raw).includes("s3cret"), false);

    await using again = await startReferenceServer({ databasePath });
    const secret = await call(again, "GET", "/secrets/api-key", {
      tenant: "acme",
    });
    deepEqual(secret.body, { name: "api-key", value: "s3cret" });
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("server keeps what it acknowledged across kill -9", async () => {
  const folder = await Deno.makeTempDir();
  const databasePath = `${folder}/runplane.db`;
  try {
    const process = await spawnReferenceServer({ database: databasePath });
    match(process.url.href, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const tenant = await call(process, "POST", "/tenants", {
      body: { slug: "durable", name: "Durable" },
    });
    equal(tenant.status, 201);
    await process.kill("SIGKILL");

    await using restarted = await startReferenceServer({ databasePath });
    const tenants = await call(restarted, "GET", "/tenants");
    deepEqual(tenants.body.items.map((x: { slug: string }) => x.slug), [
      "durable",
    ]);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
