import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { SqliteDatabase } from "../../server/db/sqlite_database.ts";

/** A database file, and a second connection that sees only what committed. */
async function withFile(
  fn: (db: SqliteDatabase, committed: DatabaseSync) => Promise<void>,
): Promise<void> {
  const folder = await Deno.makeTempDir();
  const db = new SqliteDatabase(`${folder}/runplane.db`);
  const committed = new DatabaseSync(`${folder}/runplane.db`);
  try {
    await db.run("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)");
    await fn(db, committed);
  } finally {
    committed.close();
    await db.close();
    await Deno.remove(folder, { recursive: true });
  }
}

Deno.test("SqliteDatabase answers concurrent transactions only once they are committed, and rolls back a failed one alone", async () => {
  await withFile(async (db, committed) => {
    const visible = (id: number) =>
      committed.prepare("SELECT id FROM notes WHERE id = ?").get(id) !==
        undefined;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 60 }, async (_, i) => {
        const id = i + 1;
        await db.transaction(async () => {
          await db.run("INSERT INTO notes (id, text) VALUES (?, ?)", id, "x");
          // Several awaits, so the others queue for the connection.
          await db.get("SELECT count(*) FROM notes");
          if (id % 7 === 0) throw new Error(`Note ${id} is refused`);
          await db.run("UPDATE notes SET text = 'y' WHERE id = ?", id);
        });
        // Answered: another connection must see it already.
        assert.ok(visible(id), `note ${id} was answered before its commit`);
      }),
    );
    for (const [i, outcome] of outcomes.entries()) {
      const id = i + 1;
      if (id % 7 === 0) {
        assert.equal(outcome.status, "rejected");
        assert.match(String(outcome.reason), /is refused/);
      } else {
        assert.equal(outcome.status, "fulfilled", String(outcome));
      }
    }
    const rows = committed.prepare("SELECT id, text FROM notes ORDER BY id")
      .all() as Array<{ id: number; text: string }>;
    assert.deepEqual(
      rows.map((row) => row.id),
      Array.from({ length: 60 }, (_, i) => i + 1).filter((id) => id % 7 !== 0),
    );
    assert.ok(rows.every((row) => row.text === "y"));
  });
});

Deno.test("SqliteDatabase answers a read that shares a commit group once the group committed", async () => {
  await withFile(async (db, committed) => {
    const write = db.transaction(() =>
      db.run("INSERT INTO notes (id, text) VALUES (1, 'x')")
    );
    // Queued behind the write: it sees the row, and must not say so before
    // the row is committed.
    const read = db.get<{ id: number }>("SELECT id FROM notes WHERE id = 1")
      .then((row) => {
        assert.equal(row?.id, 1);
        assert.ok(
          committed.prepare("SELECT id FROM notes WHERE id = 1").get(),
          "the read was answered before the write it saw was committed",
        );
      });
    await Promise.all([write, read]);
  });
});
