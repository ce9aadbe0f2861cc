import {
  deepEqual,
  equal,
  match,
  notEqual,
  ok,
  rejects,
} from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { startServer } from "../../server/mod.ts";
import { call } from "./_helpers.ts";
import { ADMIN_TOKEN } from "../_helpers/admin_token.ts";
import { PASSWORD } from "../_helpers/seed.ts";
import {
  ServerStartError,
  spawnReferenceServer,
  startReferenceServer,
} from "../_helpers/reference_server.ts";

/** How a `deno task serve` process ended up: listening, or exited. */
interface Outcome {
  listening: boolean;
  code?: number;
  stderr: string;
}

/** Starts a server process on the database, then stops it if it listens. */
async function serve(
  databasePath: string,
  env: Record<string, string> = {},
): Promise<Outcome> {
  try {
    const process = await spawnReferenceServer({ database: databasePath, env });
    await process.kill("SIGTERM");
    return { listening: true, stderr: process.stderr };
  } catch (error) {
    if (!(error instanceof ServerStartError)) throw error;
    return { listening: false, code: error.code, stderr: error.stderr };
  }
}

async function withFolder(fn: (databasePath: string) => Promise<void>) {
  const folder = await Deno.makeTempDir();
  try {
    await fn(`${folder}/runplane.db`);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

/** A database with a tenant and a secret sealed under its key file's key. */
async function sealSomething(databasePath: string): Promise<void> {
  await using server = await startReferenceServer({ databasePath });
  await call(server, "POST", "/tenants", { body: { slug: "acme", name: "A" } });
  const put = await call(server, "PUT", "/secrets/db", {
    tenant: "acme",
    body: { value: "s3cret" },
  });
  equal(put.status, 200);
}

function randomKey(): string {
  return btoa(
    String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))),
  );
}

Deno.test("startServer() refuses to start without the key the database was sealed with", async (t) => {
  await t.step("a missing key file is not replaced", async () => {
    await withFolder(async (databasePath) => {
      await sealSomething(databasePath);
      await Deno.remove(`${databasePath}.key`);
      const outcome = await serve(databasePath);
      equal(outcome.listening, false);
      equal(outcome.code, 1);
      match(
        outcome.stderr,
        /^Cannot start: the database .*runplane\.db holds data sealed with a server key, but the key file .*runplane\.db\.key is missing: restore the file, or set RUNPLANE_SERVER_KEY to that key\n$/,
      );
      await rejects(Deno.stat(`${databasePath}.key`), Deno.errors.NotFound);
    });
  });

  await t.step("another key from RUNPLANE_SERVER_KEY is refused", async () => {
    await withFolder(async (databasePath) => {
      await sealSomething(databasePath);
      const outcome = await serve(databasePath, {
        RUNPLANE_SERVER_KEY: randomKey(),
      });
      equal(outcome.listening, false);
      equal(outcome.code, 1);
      match(
        outcome.stderr,
        /^Cannot start: the server key from RUNPLANE_SERVER_KEY is not the key the database .* was sealed with: use the original key/,
      );
    });
  });

  await t.step(
    "a database from before the check value is checked by its sealed data",
    async () => {
      await withFolder(async (databasePath) => {
        await sealSomething(databasePath);
        const db = new DatabaseSync(databasePath);
        db.exec("DELETE FROM settings WHERE key = 'server_key_check'");
        db.close();
        await rejects(
          startServer({
            port: 0,
            databasePath,
            serverKey: randomKey(),
            quiet: true,
          }),
          /^Error: Cannot start: the server key from the serverKey option is not the key/,
        );
        // The right key passes, and records the check value again.
        await using server = await startReferenceServer({ databasePath });
        const secret = await call(server, "GET", "/secrets/db", {
          tenant: "acme",
        });
        equal(secret.body.value, "s3cret");
      });
    },
  );

  await t.step("a bad key is a clear error", async () => {
    await rejects(
      startServer({ port: 0, databasePath: ":memory:", serverKey: "abc" }),
      {
        name: "TypeError",
        message:
          "Cannot read the server key from the serverKey option: expected 32 bytes, got 2",
      },
    );
  });
});

Deno.test("startServer() takes the key from RUNPLANE_SERVER_KEY and writes no key file", async () => {
  await withFolder(async (databasePath) => {
    const key = randomKey();
    const env = { RUNPLANE_SERVER_KEY: key };
    const first = await serve(databasePath, env);
    equal(first.listening, true, first.stderr);
    await rejects(Deno.stat(`${databasePath}.key`), Deno.errors.NotFound);
    {
      await using server = await startReferenceServer({
        databasePath,
        serverKey: key,
      });
      await call(server, "POST", "/tenants", {
        body: { slug: "acme", name: "A" },
      });
      await call(server, "PUT", "/secrets/db", {
        tenant: "acme",
        body: { value: "shared" },
      });
    }
    // A second process with the same key reads what the first sealed.
    const again = await serve(databasePath, env);
    equal(again.listening, true, again.stderr);
  });
});

Deno.test("startServer() writes a new key file readable by its owner only", async () => {
  await withFolder(async (databasePath) => {
    const outcome = await serve(databasePath);
    equal(outcome.listening, true, outcome.stderr);
    const stat = await Deno.stat(`${databasePath}.key`);
    equal(stat.mode! & 0o777, 0o600);
    equal(
      atob((await Deno.readTextFile(`${databasePath}.key`)).trim()).length,
      32,
    );
  });
});

Deno.test("idempotency fingerprints are keyed by the server key", async () => {
  await withFolder(async (databasePath) => {
    const fingerprints: string[] = [];
    for (const serverKey of [randomKey(), randomKey()]) {
      const path = `${databasePath}-${fingerprints.length}`;
      {
        await using server = await startReferenceServer({
          databasePath: path,
          serverKey,
        });
        await call(server, "POST", "/tenants", {
          body: { slug: "acme", name: "A" },
        });
        const body = JSON.stringify({
          username: "ada",
          password: PASSWORD,
          tenant: "acme",
          role: "viewer",
        });
        const created = await call(server, "POST", "/users", {
          body,
          headers: { "idempotency-key": "user-1" },
        });
        equal(created.status, 201);
        const db = new DatabaseSync(path);
        const row = db.prepare(
          "SELECT fingerprint FROM idempotency WHERE key = 'user-1'",
        ).get() as { fingerprint: string };
        db.close();
        fingerprints.push(row.fingerprint);
        // The old, unkeyed fingerprint is a dictionary attack's target.
        const hex = async (data: string | Uint8Array) =>
          Array.from(
            new Uint8Array(
              await crypto.subtle.digest(
                "SHA-256",
                typeof data === "string"
                  ? new TextEncoder().encode(data)
                  : data as Uint8Array<ArrayBuffer>,
              ),
            ),
            (b) => b.toString(16).padStart(2, "0"),
          ).join("");
        const unkeyed = await hex(
          ["POST", "/api/v1/users", "", await hex(body)].join("\n"),
        );
        notEqual(row.fingerprint, unkeyed);
        ok(!row.fingerprint.includes(await hex(body)));
      }
    }
    notEqual(fingerprints[0], fingerprints[1]);
  });
});

Deno.test("POST /auth/tenant-login replays its sealed answer for about a minute only", async () => {
  await withFolder(async (databasePath) => {
    await using server = await startReferenceServer({ databasePath });
    await call(server, "POST", "/tenants", {
      body: { slug: "acme", name: "A" },
    });
    await call(server, "POST", "/users", {
      body: {
        username: "ada",
        password: PASSWORD,
        tenant: "acme",
        role: "viewer",
      },
    });
    const started = Date.now();
    const login = await call(server, "POST", "/auth/tenant-login", {
      headers: {
        authorization: `Basic ${btoa(`ada:${PASSWORD}`)}`,
        "idempotency-key": "login-1",
      },
      body: { slug: "acme" },
    });
    equal(login.status, 200);
    const db = new DatabaseSync(databasePath);
    const rows = db.prepare(
      "SELECT expires_at FROM idempotency WHERE key = 'login-1'",
    ).all() as Array<{ expires_at: number }>;
    db.close();
    deepEqual(rows.length, 1);
    const window = rows[0].expires_at - started;
    ok(
      window > 30_000 && window <= 61_000 + (Date.now() - started),
      `${window}`,
    );
  });
});

Deno.test("startServer() twice at once on a new database: both use one key", async () => {
  await withFolder(async (databasePath) => {
    const options = {
      port: 0,
      databasePath,
      adminToken: ADMIN_TOKEN,
      quiet: true,
    };
    const [first, second] = await Promise.all([
      startServer(options),
      startServer(options),
    ]);
    try {
      await call(first, "POST", "/tenants", {
        body: { slug: "acme", name: "A" },
      });
      await call(first, "PUT", "/secrets/db", {
        tenant: "acme",
        body: { value: "one key" },
      });
      const read = await call(second, "GET", "/secrets/db", {
        tenant: "acme",
      });
      equal(read.body.value, "one key");
    } finally {
      await first.close();
      await second.close();
    }
  });
});
