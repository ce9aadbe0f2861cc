import assert from "node:assert/strict";
import {
  backoffDelay,
  MAX_RETRY_AFTER_MS,
  retryAfterMs,
} from "../../transport/retry.ts";
import {
  ApiError,
  ConnectionError,
  isRetriableError,
  TimeoutError,
} from "../../errors.ts";

Deno.test("backoffDelay() doubles from about half a second, capped near eight, with jitter below the base", () => {
  for (let round = 0; round < 200; round++) {
    const first = backoffDelay(0);
    assert.ok(first > 375 && first <= 500, String(first));
    const third = backoffDelay(2);
    assert.ok(third > 1_500 && third <= 2_000, String(third));
    const late = backoffDelay(50);
    assert.ok(late > 6_000 && late <= 8_000, String(late));
    const custom = backoffDelay(3, { initialDelayMs: 1, maxDelayMs: 5 });
    assert.ok(custom > 3.75 && custom <= 5, String(custom));
  }
});

Deno.test("retryAfterMs() reads Retry-After-Ms first, then Retry-After in seconds or as a date, capped at a minute", () => {
  const now = Date.parse("2026-11-22T14:00:00Z");
  const wait = (headers: Record<string, string>) =>
    retryAfterMs(new Headers(headers), now);
  assert.equal(wait({ "retry-after-ms": "250", "retry-after": "9" }), 250);
  assert.equal(wait({ "retry-after": "3" }), 3_000);
  assert.equal(wait({ "retry-after": "Sun, 22 Nov 2026 14:00:05 GMT" }), 5_000);
  assert.equal(
    wait({ "retry-after": "Sun, 22 Nov 2026 13:00:00 GMT" }),
    undefined,
    "a date in the past names no wait",
  );
  assert.equal(wait({ "retry-after": "0" }), undefined);
  assert.equal(wait({ "retry-after-ms": "0", "retry-after": "0" }), undefined);
  assert.equal(wait({ "retry-after": "1 2" }), undefined);
  assert.equal(wait({ "retry-after": "3600" }), MAX_RETRY_AFTER_MS);
  assert.equal(wait({ "retry-after-ms": "999999" }), MAX_RETRY_AFTER_MS);
  assert.equal(wait({ "retry-after-ms": "soon", "retry-after": "2" }), 2_000);
  assert.equal(wait({ "retry-after": "whenever" }), undefined);
  assert.equal(wait({}), undefined);
  assert.equal(MAX_RETRY_AFTER_MS, 60_000);
});

Deno.test("isRetriableError() matches the client's own retry rule", () => {
  const api = (status: number) =>
    ApiError.from({ status, method: "GET", url: "http://h/api/v1/x" });
  for (const status of [408, 429, 500, 502, 503, 504]) {
    assert.ok(isRetriableError(api(status)), String(status));
  }
  for (const status of [400, 401, 403, 404, 409, 422, 501]) {
    assert.ok(!isRetriableError(api(status)), String(status));
  }
  assert.ok(isRetriableError(new ConnectionError("down")));
  assert.ok(isRetriableError(new TimeoutError("slow")));
  assert.ok(!isRetriableError(new Error("other")));
});
