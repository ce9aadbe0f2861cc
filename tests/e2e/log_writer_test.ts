import assert from "node:assert/strict";
import {
  InvalidArgumentError,
  RateLimitError,
  RunplaneError,
  ServerError,
} from "../../errors.ts";
import { apiError, json, startServer } from "../_helpers/test_server.ts";
import { testClient } from "../_helpers/client.ts";
import type { Client } from "../../client/client.ts";
import type { ServerOptions } from "../../server/mod.ts";
import { createTenant, rejectsWith, type TestTenant } from "./_helpers.ts";
import {
  type ReferenceServer,
  startReferenceServer,
} from "../_helpers/reference_server.ts";

interface LogPost {
  entries: { message: string; level: string }[];
  dropped?: number;
}

/** A client of the tenant's user that records every POST /logs body. */
async function recordingClient(
  server: ReferenceServer,
  tenant: TestTenant,
  options: { failLogs?: () => boolean } = {},
): Promise<{ client: Client; posts: LogPost[] }> {
  const posts: LogPost[] = [];
  const token = (await tenant.client.getAuthToken())!;
  const client = server.client({ token }, {
    maxRetries: 1,
    fetch: async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : input);
      if (init?.method === "POST" && url.pathname === "/api/v1/logs") {
        if (options.failLogs?.()) {
          return new Response(
            JSON.stringify({ error: { code: "down", message: "Down" } }),
            { status: 503, headers: { "content-type": "application/json" } },
          );
        }
        posts.push(
          JSON.parse(new TextDecoder().decode(init.body as Uint8Array)),
        );
      }
      return await fetch(input, init);
    },
  });
  return { client, posts };
}

async function setUp(options: ServerOptions = {}) {
  const server = await startReferenceServer(options);
  const tenant = await createTenant(server, "member");
  const project = await tenant.client.projects.create({ name: "logs" });
  const flow = await tenant.client.flows.register({
    name: "f",
    project: project.id,
  });
  const run = await tenant.client.flowRuns.create({ flowId: flow.id });
  return { server, tenant, run, [Symbol.asyncDispose]: server.close };
}

async function messages(client: Client, flowRunId: string) {
  const lines = await Array.fromAsync(client.logs.list({ flowRunId }));
  return lines.map((line) => line.message);
}

Deno.test("LogWriter sends full batches by itself and the rest on close()", async () => {
  await using fixture = await setUp();
  const { server, tenant, run } = fixture;
  const { client, posts } = await recordingClient(server, tenant);
  const writer = client.logs.writer({
    flowRunId: run.id,
    maxBatch: 5,
    flushIntervalMs: 60_000,
  });
  for (let i = 0; i < 12; i++) writer.log(i % 2 ? "info" : "Debug", `m${i}`);
  // log() is synchronous: nothing has been sent yet.
  assert.equal(posts.length, 0);
  // Full batches go out in the background, without flush() or close().
  for (let i = 0; i < 100 && posts.length < 2; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.ok(posts.length >= 2);
  await writer.close();
  assert.deepEqual(posts.map((p) => p.entries.length), [5, 5, 2]);
  assert.equal(posts[0].entries[0].level, "DEBUG");
  assert.equal(writer.written, 12);
  assert.deepEqual(
    await messages(tenant.client, run.id),
    Array.from({ length: 12 }, (_, i) => `m${i}`),
  );
  assert.throws(() => writer.log("INFO", "late"), RunplaneError);
});

Deno.test("LogWriter sends after flushIntervalMs without a full batch", async () => {
  await using fixture = await setUp();
  const { server, tenant, run } = fixture;
  const { client, posts } = await recordingClient(server, tenant);
  const writer = client.logs.writer({
    flowRunId: run.id,
    flushIntervalMs: 20,
  });
  writer.log("INFO", "tick");
  for (let i = 0; i < 100 && posts.length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(posts.length, 1);
  await writer.close();
  assert.equal(posts.length, 1);
});

Deno.test("LogWriter drops the oldest lines when full and reports the count", async () => {
  await using fixture = await setUp();
  const { server, tenant, run } = fixture;
  const { client, posts } = await recordingClient(server, tenant);
  const writer = client.logs.writer({
    flowRunId: run.id,
    maxBuffered: 3,
    flushIntervalMs: 60_000,
  });
  for (let i = 0; i < 5; i++) writer.log("WARNING", `m${i}`);
  assert.equal(writer.dropped, 2);
  assert.equal(writer.buffered, 3);
  await writer.flush();
  assert.equal(posts.length, 1);
  assert.equal(posts[0].dropped, 2);
  assert.deepEqual(posts[0].entries.map((e) => e.message), [
    "m2",
    "m3",
    "m4",
  ]);
  writer.log("INFO", "after");
  await writer.close();
  assert.equal(posts[1].dropped, undefined);
  assert.deepEqual(await messages(tenant.client, run.id), [
    "m2",
    "m3",
    "m4",
    "after",
  ]);
});

Deno.test("LogWriter flushes on client.close()", async () => {
  await using fixture = await setUp();
  const { server, tenant, run } = fixture;
  const { client, posts } = await recordingClient(server, tenant);
  const writer = client.logs.writer({
    flowRunId: run.id,
    flushIntervalMs: 60_000,
  });
  writer.log("ERROR", "last words");
  writer.log("CRITICAL", "really last");
  await client.close();
  assert.equal(writer.closed, true);
  assert.equal(posts.length, 1);
  assert.deepEqual(await messages(tenant.client, run.id), [
    "last words",
    "really last",
  ]);
});

Deno.test("LogWriter keeps a failed batch and surfaces the error from flush()", async () => {
  await using fixture = await setUp();
  const { server, tenant, run } = fixture;
  let failing = true;
  const { client, posts } = await recordingClient(server, tenant, {
    failLogs: () => failing,
  });
  const writer = client.logs.writer({
    flowRunId: run.id,
    maxBuffered: 4,
    flushIntervalMs: 60_000,
  });
  writer.log("INFO", "a");
  writer.log("INFO", "b");
  await rejectsWith(writer.flush(), ServerError);
  assert.equal(writer.buffered, 2);
  writer.log("INFO", "c");
  writer.log("INFO", "d");
  writer.log("INFO", "e");
  assert.equal(writer.dropped, 1);
  failing = false;
  await writer.close();
  assert.deepEqual(posts.map((p) => p.entries.map((e) => e.message)), [
    ["b"],
    ["c", "d", "e"],
  ]);
  assert.equal(posts[1].dropped, 1);
  assert.deepEqual(await messages(tenant.client, run.id), [
    "b",
    "c",
    "d",
    "e",
  ]);
});

Deno.test("LogWriter validates its options and levels", async () => {
  await using fixture = await setUp();
  const { tenant, run } = fixture;
  const { client } = tenant;
  assert.throws(
    () => client.logs.writer({ flowRunId: "" }),
    InvalidArgumentError,
  );
  assert.throws(
    () => client.logs.writer({ flowRunId: run.id, maxBatch: 0 }),
    InvalidArgumentError,
  );
  const writer = client.logs.writer({ flowRunId: run.id });
  const error = assertThrows(() => writer.log("LOUD", "x"));
  assert.ok(error instanceof InvalidArgumentError);
  assert.match(error.message, /^level must be one of/);
  assert.equal(writer.buffered, 0);
  await writer.close();
});

function assertThrows(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("Expected a throw");
}

/** The server's allowance: 100 lines a second, in bursts of 6,000. */
const LINES_PER_MINUTE = 6_000;
/** More than a minute's allowance, so some batches are refused. */
const LINES = 6_500;

Deno.test("LogWriter loses no line when the server limits log lines with 429 and Retry-After", async () => {
  await using fixture = await setUp({
    logLinesPerMinute: LINES_PER_MINUTE,
  });
  const { server, tenant, run } = fixture;
  let limited = 0;
  const client = server.client(
    { token: (await tenant.client.getAuthToken())! },
    {
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (response.status === 429) limited++;
        return response;
      },
    },
  );
  const writer = client.logs.writer({
    flowRunId: run.id,
    maxBatch: 500,
    flushIntervalMs: 20,
  });
  for (let i = 0; i < LINES; i++) writer.log("INFO", `line ${i}`);
  await writer.close();

  assert.ok(limited > 0, "the server never limited the writer");
  assert.equal(writer.dropped, 0);
  assert.equal(writer.written, LINES);
  assert.deepEqual(
    await messages(tenant.client, run.id),
    Array.from({ length: LINES }, (_, i) => `line ${i}`),
  );
});

Deno.test("LogWriter splits batches to stay within maxBatchBytes, in order", async () => {
  await using fixture = await setUp();
  const { server, tenant, run } = fixture;
  const { client, posts } = await recordingClient(server, tenant);
  const writer = client.logs.writer({
    flowRunId: run.id,
    flushIntervalMs: 60_000,
  });
  // 1,000 lines of 2,000 characters: about 2 MiB, twice the body limit.
  const sent = Array.from(
    { length: 1_000 },
    (_, i) => `${String(i).padStart(4, "0")}${"z".repeat(1_996)}`,
  );
  for (const message of sent) writer.log("INFO", message);
  await writer.close();
  assert.equal(writer.written, 1_000);
  assert.ok(posts.length >= 4, `${posts.length} batches`);
  for (const post of posts) {
    assert.ok(JSON.stringify(post).length <= 512 * 1024);
  }
  assert.deepEqual(await messages(tenant.client, run.id), sent);
});

Deno.test("LogWriter cuts an oversized message, and the lines after it arrive", async () => {
  await using fixture = await setUp();
  const { server, tenant, run } = fixture;
  const { client } = await recordingClient(server, tenant);
  const writer = client.logs.writer({ flowRunId: run.id });
  writer.log("INFO", "before");
  writer.log("ERROR", "é".repeat(1024 * 1024));
  writer.log("INFO", "after");
  await writer.close();
  assert.equal(writer.truncated, 1);
  const [before, cut, after] = await messages(tenant.client, run.id);
  assert.deepEqual([before, after], ["before", "after"]);
  const bytes = new TextEncoder().encode(cut).length;
  assert.ok(bytes <= 32 * 1024, `${bytes} bytes`);
  const match = /^(é+)\.\.\. \[truncated (\d+) bytes\]$/.exec(cut);
  assert.ok(match, cut.slice(-40));
  assert.equal(match[1].length * 2 + Number(match[2]), 2 * 1024 * 1024);
});

Deno.test("POST /logs cuts a message over 32 KiB instead of refusing the batch", async () => {
  await using fixture = await setUp();
  const { tenant, run } = fixture;
  const written = await tenant.client.logs.write([
    { flowRunId: run.id, level: "INFO", message: "x".repeat(40_000) },
    { flowRunId: run.id, level: "INFO", message: "next" },
  ]);
  assert.equal(written, 2);
  const [cut, next] = await messages(tenant.client, run.id);
  assert.equal(next, "next");
  assert.ok(cut.length <= 32 * 1024 && cut.length > 32_700, `${cut.length}`);
  const match = /^(x+)\.\.\. \[truncated (\d+) bytes\]$/.exec(cut);
  assert.ok(match, cut.slice(-40));
  assert.equal(match[1].length + Number(match[2]), 40_000);
});

Deno.test("LogWriter waits for a 429's Retry-After and keeps the lines in order", async () => {
  const arrivals: number[] = [];
  const received: string[][] = [];
  await using server = startServer((request, index) => {
    arrivals.push(performance.now());
    const body = JSON.parse(request.text) as LogPost;
    if (index === 0) {
      return apiError(429, "rate_limited", "Too many log lines", {
        "retry-after": "1",
      });
    }
    received.push(body.entries.map((entry) => entry.message));
    return json({ written: body.entries.length }, { status: 201 });
  });
  await using client = testClient(server.url, { config: { maxRetries: 0 } });
  const writer = client.logs.writer({
    flowRunId: "run-1",
    flushIntervalMs: 60_000,
  });
  for (const message of ["a", "b", "c"]) writer.log("INFO", message);
  await rejectsWith(writer.flush(), RateLimitError);
  assert.equal(writer.buffered, 3, "nothing was lost");
  writer.log("INFO", "d");
  await writer.close();
  assert.deepEqual(received.flat(), ["a", "b", "c", "d"]);
  assert.equal(writer.written, 4);
  const waited = arrivals[1] - arrivals[0];
  assert.ok(waited >= 900, `the next attempt came after ${waited} ms`);
});
