/**
 * Password checks cannot be used to take the server down or to guess
 * passwords at speed: verified credentials are remembered, checks wait in a
 * bounded queue, and failed logins are throttled per username and address.
 *
 * @module
 */

import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { HttpError } from "../../server/http_error.ts";
import { PasswordChecker } from "../../server/passwords.ts";
import { toBase64 } from "../../server/crypto_box.ts";
import { basic, call } from "./_helpers.ts";
import { PASSWORD, seedTenant } from "../_helpers/seed.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

function isThrottled(error: unknown): boolean {
  return error instanceof HttpError && error.status === 429 &&
    Number(error.headers["retry-after"]) >= 1;
}

/**
 * A stored hash in the server's format with few iterations, so a test of
 * timing windows is not at the mercy of a loaded machine.
 */
async function quickHash(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(password),
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations: 1_000 },
    key,
    256,
  );
  return `pbkdf2-sha256$1000$${toBase64(salt)}$${
    toBase64(new Uint8Array(bits))
  }`;
}

Deno.test("PasswordChecker.verify() throttles a username after 5 failures, and lets the right password in after the wait", async (t) => {
  const stored = await quickHash("right password");
  const attempt = (password: string, username = "ada") => ({
    username,
    password,
    storedHash: stored,
    address: "192.0.2.1",
  });

  await t.step(
    "the sixth try is refused, even with the right password",
    async () => {
      const checker = new PasswordChecker({
        failureWindowMs: 500,
        failureDelayMs: 0,
      });
      for (let i = 0; i < 5; i++) {
        equal(await checker.verify(attempt("wrong")), false);
      }
      await rejects(checker.verify(attempt("right password")), isThrottled);
      await new Promise((resolve) => setTimeout(resolve, 600));
      equal(await checker.verify(attempt("right password")), true);
    },
  );

  await t.step(
    "a remembered credential is let in while its username is throttled",
    async () => {
      const checker = new PasswordChecker({ failureDelayMs: 0 });
      equal(await checker.verify(attempt("right password")), true);
      for (let i = 0; i < 5; i++) {
        equal(await checker.verify(attempt("wrong")), false);
      }
      await rejects(checker.verify(attempt("wrong")), isThrottled);
      equal(await checker.verify(attempt("right password")), true);
    },
  );

  await t.step(
    "a remembered credential stops matching when the stored hash changes",
    async () => {
      const checker = new PasswordChecker();
      equal(await checker.verify(attempt("right password")), true);
      const changed = await quickHash("new password");
      equal(
        await checker.verify({
          ...attempt("right password"),
          storedHash: changed,
        }),
        false,
      );
    },
  );
});

Deno.test("startServer() throttles failed logins per username, for HTTP Basic, the API login and the web login", async (t) => {
  await using server = await startReferenceServer();
  const tenant = await seedTenant(server, "throttle");
  const { admin, member, viewer } = tenant.usernames;

  await t.step("HTTP Basic", async () => {
    // At once, since each failure is answered after a second.
    const failures = await Promise.all(
      Array.from({ length: 5 }, () =>
        call(server, "GET", "/me", {
          headers: { authorization: basic(member, "wrong password") },
        })),
    );
    deepEqual(failures.map((answer) => answer.status), Array(5).fill(401));
    const throttled = await call(server, "GET", "/me", {
      headers: { authorization: basic(member, PASSWORD) },
    });
    equal(throttled.status, 429);
    equal(throttled.body.error.code, "too_many_requests");
    ok(Number(throttled.headers.get("retry-after")) >= 1);
    const other = await call(server, "GET", "/me", {
      headers: { authorization: basic(viewer, PASSWORD) },
    });
    equal(other.status, 200);
  });

  await t.step("POST /auth/login", async () => {
    const login = (password: string) =>
      call(server, "POST", "/auth/login", {
        token: null,
        body: { username: viewer, password },
      });
    // The viewer's right password above left a record, which wrong ones
    // do not touch.
    for (let i = 0; i < 5; i++) {
      equal((await login("wrong password")).status, 401);
    }
    const throttled = await login("another wrong one");
    equal(throttled.status, 429);
    ok(Number(throttled.headers.get("retry-after")) >= 1);
  });

  await t.step("POST /ui/login", async () => {
    const login = (password: string) =>
      fetch(new URL("/ui/login", server.url), {
        method: "POST",
        redirect: "manual",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          origin: server.url.origin,
        },
        body: new URLSearchParams({ username: admin, password }),
      });
    const failures = await Promise.all(
      Array.from({ length: 5 }, () => login("wrong password")),
    );
    for (const response of failures) {
      await response.body?.cancel();
      equal(response.status, 401);
    }
    const throttled = await login(PASSWORD);
    await throttled.body?.cancel();
    equal(throttled.status, 429);
    ok(Number(throttled.headers.get("retry-after")) >= 1);
  });
});

Deno.test("startServer() throttles failed logins per client address, whatever the username", async () => {
  await using server = await startReferenceServer();
  const login = (username: string) =>
    call(server, "POST", "/auth/login", {
      token: null,
      body: { username, password: "guess" },
    });
  const failures = await Promise.all(
    Array.from({ length: 20 }, (_, i) => login(`nobody-${i}`)),
  );
  deepEqual(failures.map((answer) => answer.status), Array(20).fill(401));
  const throttled = await login("nobody-else");
  equal(throttled.status, 429);
  ok(Number(throttled.headers.get("retry-after")) >= 1);
});

Deno.test("startServer() does not re-hash a remembered credential, and answers 429 at once when too many password checks wait", async (t) => {
  await using server = await startReferenceServer();
  const tenant = await seedTenant(server, "queue");

  await t.step(
    "64 HTTP Basic requests at once with a remembered credential all pass",
    async () => {
      const authorization = basic(tenant.usernames.member, PASSWORD);
      equal(
        (await call(server, "GET", "/me", { headers: { authorization } }))
          .status,
        200,
      );
      const answers = await Promise.all(
        Array.from(
          { length: 64 },
          () => call(server, "GET", "/me", { headers: { authorization } }),
        ),
      );
      deepEqual(answers.map((answer) => answer.status), Array(64).fill(200));
    },
  );

  await t.step(
    "64 logins at once: those past the queue are refused at once",
    async () => {
      const answers = await Promise.all(
        Array.from(
          { length: 64 },
          (_, i) =>
            call(server, "POST", "/auth/login", {
              token: null,
              body: { username: `nobody-${i}`, password: "guess" },
            }),
        ),
      );
      const busy = answers.filter((answer) =>
        answer.body.error?.message ===
          "Too many logins in progress: retry shortly"
      );
      ok(busy.length > 0, "no login was refused for a full queue");
      for (const answer of busy) {
        equal(answer.status, 429);
        equal(answer.headers.get("retry-after"), "1");
      }
      // Refusals count against the address, so the last to arrive may find
      // it throttled already.
      for (const answer of answers.filter((a) => a.status === 429)) {
        ok(Number(answer.headers.get("retry-after")) >= 1);
      }
      deepEqual(
        new Set(answers.map((answer) => answer.status)),
        new Set([401, 429]),
      );
    },
  );
});
