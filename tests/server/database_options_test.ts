import assert from "node:assert/strict";
import { startServer } from "../../server/mod.ts";

Deno.test("startServer() checks the database options before it connects", async (t) => {
  await t.step(
    "a databaseUrl that is not PostgreSQL is a TypeError",
    async () => {
      await assert.rejects(
        startServer({ port: 0, databaseUrl: "mysql://db.example/runplane" }),
        (error: Error) =>
          error instanceof TypeError &&
          error.message.startsWith(
            "Option databaseUrl must be a postgres:// or postgresql:// URL",
          ),
      );
    },
  );

  await t.step(
    "databasePath and databaseUrl together are a TypeError",
    async () => {
      await assert.rejects(
        startServer({
          port: 0,
          databasePath: ":memory:",
          databaseUrl: "postgres://db.example/runplane",
        }),
        (error: Error) =>
          error instanceof TypeError &&
          error.message.startsWith(
            "Options databasePath and databaseUrl exclude each other",
          ),
      );
    },
  );

  await t.step(
    "PostgreSQL without the server key is refused, naming the fix and no password",
    async () => {
      const saved = Deno.env.get("RUNPLANE_SERVER_KEY");
      Deno.env.delete("RUNPLANE_SERVER_KEY");
      try {
        await assert.rejects(
          // Nothing listens on port 1: the check comes before any connection.
          startServer({
            port: 0,
            databaseUrl: "postgres://runplane:hunter2@127.0.0.1:1/runplane",
          }),
          (error: Error) =>
            error.message.startsWith(
              "Cannot start on PostgreSQL without the server key: set RUNPLANE_SERVER_KEY",
            ) && !error.message.includes("hunter2"),
        );
      } finally {
        if (saved !== undefined) Deno.env.set("RUNPLANE_SERVER_KEY", saved);
      }
    },
  );
});
