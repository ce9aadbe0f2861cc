import { equal, match, ok } from "node:assert/strict";
import { uuidV7 } from "../../server/ids.ts";

Deno.test("uuidV7() makes RFC 9562 version 7 ids that sort by creation time", () => {
  const at = Date.UTC(2026, 10, 22, 14, 43, 4, 123);
  const id = uuidV7(at);
  match(
    id,
    /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
  equal(parseInt(id.slice(0, 8) + id.slice(9, 13), 16), at);
  const ids = Array.from({ length: 50 }, (_, i) => uuidV7(at + i));
  ok(ids.every((value, i) => i === 0 || value > ids[i - 1]), "later is larger");
  equal(new Set(Array.from({ length: 1000 }, () => uuidV7(at))).size, 1000);
});
