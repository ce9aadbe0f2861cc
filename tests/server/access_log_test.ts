import assert from "node:assert/strict";
import { spawnReferenceServer } from "../_helpers/reference_server.ts";

Deno.test("server/main.ts writes an access log line for every request, all of them out when it stops on SIGTERM", async () => {
  const folder = await Deno.makeTempDir();
  try {
    const server = await spawnReferenceServer({
      database: `${folder}/runplane.db`,
    });
    const ids = Array.from({ length: 40 }, (_, i) => `log-check-${i}`);
    // Concurrent, so several lines fall in one turn of the server's loop.
    const statuses = await Promise.all(ids.map(async (id) => {
      const response = await fetch(new URL("/api/v1/flow-runs", server.url), {
        headers: { authorization: "Bearer rp_wrong", "x-request-id": id },
      });
      await response.body?.cancel();
      return response.status;
    }));
    assert.deepEqual(new Set(statuses), new Set([401]));
    const status = await server.kill("SIGTERM");
    assert.equal(status.code, 0);
    for (const id of ids) {
      const lines = server.stderr.split("\n").filter((line) =>
        line.endsWith(` ${id}`)
      );
      assert.equal(
        lines.length,
        1,
        `the log has ${lines.length} lines of ${id}`,
      );
      assert.match(lines[0], /^GET \/api\/v1\/flow-runs 401 \d+ms /);
    }
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
