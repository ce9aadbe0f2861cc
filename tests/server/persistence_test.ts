import { deepEqual, equal, match } from "node:assert/strict";
import { ADMIN_TOKEN, call, testServer } from "./_helpers.ts";

const serverMain = new URL("../../server/main.ts", import.meta.url);
const config = new URL("../../deno.json", import.meta.url);

Deno.test("server keeps what it acknowledged across a restart", async () => {
  const folder = await Deno.makeTempDir();
  const databasePath = `${folder}/data/runplane.db`;
  try {
    {
      await using server = await testServer(databasePath);
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

    await using again = await testServer(databasePath);
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
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        `--config=${config.pathname}`,
        "--allow-net=127.0.0.1",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        serverMain.pathname,
        "--port=0",
        `--database=${databasePath}`,
        `--admin-token=${ADMIN_TOKEN}`,
      ],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream())
      .getReader();
    let output = "";
    while (!output.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      output += value;
    }
    const url = /http:\/\/\S+/.exec(output)?.[0] ?? "";
    match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const tenant = await call({ url: new URL(url) }, "POST", "/tenants", {
      body: { slug: "durable", name: "Durable" },
    });
    equal(tenant.status, 201);
    child.kill("SIGKILL");
    await child.status;
    await reader.cancel();

    await using restarted = await testServer(databasePath);
    const tenants = await call(restarted, "GET", "/tenants");
    deepEqual(tenants.body.items.map((x: { slug: string }) => x.slug), [
      "durable",
    ]);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
