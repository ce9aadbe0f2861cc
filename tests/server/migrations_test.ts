import { deepEqual, match } from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { migrate, MIGRATIONS } from "../../server/migrations.ts";

function plan(db: DatabaseSync, sql: string): string {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<
    { detail: string }
  >).map((row) => row.detail).join("\n");
}

Deno.test("migrate() brings a version 1 database up to date, with the lookup indexes", () => {
  const db = new DatabaseSync(":memory:");
  try {
    migrate(db, MIGRATIONS.slice(0, 1));
    migrate(db);
    const versions = db.prepare(
      "SELECT version FROM schema_migrations ORDER BY version",
    ).all() as Array<{ version: number }>;
    deepEqual(
      versions.map((row) => row.version),
      MIGRATIONS.map((migration) => migration.version),
    );
    match(
      plan(db, "SELECT id FROM flow_runs WHERE flow_id = 'f' ORDER BY seq"),
      /USING (COVERING )?INDEX flow_runs_flow/,
    );
    match(
      plan(db, "SELECT seq FROM logs WHERE task_run_id = 't'"),
      /USING (COVERING )?INDEX logs_task_run/,
    );
    match(
      plan(db, "SELECT id FROM flows WHERE project_id = 'p'"),
      /USING (COVERING )?INDEX flows_project/,
    );
  } finally {
    db.close();
  }
});
