import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { migrate, MIGRATIONS } from "../../server/migrations.ts";
import { POSTGRES_MIGRATIONS } from "../../server/db/postgres_migrations.ts";
import { openPostgres } from "../../server/db/postgres_database.ts";
import { testDatabase } from "../_helpers/postgres.ts";

Deno.test("POSTGRES_MIGRATIONS stay in step with MIGRATIONS: same version, same tables and columns", async () => {
  assert.equal(POSTGRES_MIGRATIONS.at(-1)!.version, MIGRATIONS.at(-1)!.version);

  const sqlite = new DatabaseSync(":memory:");
  migrate(sqlite);
  const sqliteColumns = new Set<string>();
  const tables = sqlite.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
  ).all() as Array<{ name: string }>;
  for (const { name } of tables) {
    for (
      const column of sqlite.prepare(`PRAGMA table_info(${name})`)
        .all() as Array<{ name: string }>
    ) {
      sqliteColumns.add(`${name}.${column.name}`);
    }
  }
  sqlite.close();

  await using database = await testDatabase();
  const postgres = await openPostgres(database.url);
  try {
    const rows = await postgres.all<
      { table_name: string; column_name: string }
    >(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = 'public'`,
    );
    const postgresColumns = new Set(
      rows
        // Where SQLite has an implicit rowid, PostgreSQL has a column.
        .filter((row) => row.column_name !== "rowid")
        .map((row) => `${row.table_name}.${row.column_name}`),
    );
    assert.deepEqual([...postgresColumns].sort(), [...sqliteColumns].sort());
  } finally {
    await postgres.close();
  }
});
