import assert from "node:assert/strict";
import { Credentials } from "../../auth/credentials.ts";
import { AuthenticationError } from "../../errors.ts";
import {
  apiError,
  json,
  type RecordedRequest,
  startServer,
  type TestServer,
} from "../_helpers/test_server.ts";
import { rejection, testClient } from "../_helpers/client.ts";

const ALICE = new Credentials({ username: "alice", password: "pw_SECRET" });

/** A server with cookie sessions, like the Runplane server's session endpoints. */
function sessionServer(password = "pw_SECRET") {
  const sessions = new Set<string>();
  const logins: RecordedRequest[] = [];
  const logouts: RecordedRequest[] = [];
  let next = 0;
  const server = startServer((request) => {
    const path = request.url.pathname;
    if (path === "/api/v1/auth/login" && request.method === "POST") {
      logins.push(request);
      const body = JSON.parse(request.text);
      if (body.username !== "alice" || body.password !== password) {
        return apiError(401, "bad_credentials", "Wrong username or password");
      }
      const id = `s${++next}`;
      sessions.add(id);
      const headers = new Headers({ "content-type": "application/json" });
      headers.append("set-cookie", `rp_session=${id}; HttpOnly; Path=/`);
      headers.append("set-cookie", `rp_csrf=c${next}; Path=/; SameSite=Strict`);
      return new Response(JSON.stringify({ user: "alice" }), { headers });
    }
    const cookie = request.headers.get("cookie") ?? "";
    const id = /rp_session=([^;]+)/.exec(cookie)?.[1];
    if (id === undefined || !sessions.has(id)) {
      return apiError(401, "session_expired", "Log in again");
    }
    if (path === "/api/v1/auth/logout") {
      logouts.push(request);
      sessions.delete(id);
      return json({});
    }
    return json({ session: id, cookie });
  });
  return { server, sessions, logins, logouts };
}

function sessionClient(server: TestServer, credentials = ALICE) {
  return testClient(server.url, {
    credentials,
    config: { endpointType: "session" },
  });
}

Deno.test("Client with basic credentials sends HTTP Basic on api endpoints", async () => {
  await using server = startServer(() => json({}));
  await using client = testClient(server.url, {
    credentials: new Credentials({
      username: "al\u00efce",
      password: "p:w \u00e9",
    }),
  });
  await client.get("/projects");
  assert.equal(server.requests.length, 1, "no login call");
  const header = server.requests[0].headers.get("authorization")!;
  assert.ok(header.startsWith("Basic "));
  const decoded = new TextDecoder().decode(
    Uint8Array.from(atob(header.slice(6)), (c) => c.charCodeAt(0)),
  );
  assert.equal(decoded, "al\u00efce:p:w \u00e9");
});

Deno.test("Client on a session endpoint logs in on the first request and sends the cookie", async () => {
  const { server, logins } = sessionServer();
  await using _server = server;
  await using client = sessionClient(server);
  const me = await client.get<{ session: string; cookie: string }>("/me");
  assert.deepEqual(me, { session: "s1", cookie: "rp_session=s1; rp_csrf=c1" });
  await client.get("/me");
  assert.equal(logins.length, 1);
  assert.equal(logins[0].path, "/api/v1/auth/login");
  assert.deepEqual(JSON.parse(logins[0].text), {
    username: "alice",
    password: "pw_SECRET",
  });
  assert.equal(logins[0].headers.get("authorization"), null);
  for (const request of server.requests.slice(1)) {
    assert.equal(request.headers.get("authorization"), null);
    assert.ok(!request.text.includes("pw_SECRET"));
  }
});

Deno.test("Client session cookies are kept per client, never shared", async () => {
  const { server, logins } = sessionServer();
  await using _server = server;
  await using first = sessionClient(server);
  await using second = sessionClient(server);
  const a = await first.get<{ session: string }>("/me");
  const b = await second.get<{ session: string }>("/me");
  assert.equal(logins.length, 2);
  assert.notEqual(a.session, b.session);
  assert.equal(
    (await first.get<{ session: string }>("/me")).session,
    a.session,
  );
});

Deno.test("Client logs in again once after a 401 on an expired session", async () => {
  const { server, sessions, logins } = sessionServer();
  await using _server = server;
  await using client = sessionClient(server);
  await client.get("/me");
  sessions.clear();
  const me = await client.get<{ session: string }>("/me");
  assert.equal(me.session, "s2");
  assert.equal(logins.length, 2);
});

Deno.test("Client on a session endpoint gives up with AuthenticationError when the login fails", async () => {
  const { server, logins } = sessionServer("changed");
  await using _server = server;
  await using client = sessionClient(server);
  const error = await rejection(() => client.get("/me"));
  assert.ok(error instanceof AuthenticationError, String(error));
  assert.equal(
    error.message,
    "POST /api/v1/auth/login failed with status 401: Wrong username or password",
  );
  assert.ok(!Deno.inspect(error).includes("pw_SECRET"));
  assert.equal(
    logins.length,
    1,
    "a failed login is not retried as an expired session",
  );
  assert.equal(
    server.requests.filter((r) => r.url.pathname === "/api/v1/me").length,
    0,
  );
});

Deno.test("Client concurrent requests share one login, and one re-login after expiry", async () => {
  const { server, sessions, logins } = sessionServer();
  await using _server = server;
  await using client = sessionClient(server);
  const first = await Promise.all(
    Array.from({ length: 50 }, () => client.get<{ session: string }>("/me")),
  );
  assert.equal(logins.length, 1);
  assert.ok(first.every((me) => me.session === "s1"));
  sessions.clear();
  const second = await Promise.all(
    Array.from({ length: 50 }, () => client.get<{ session: string }>("/me")),
  );
  assert.equal(logins.length, 2);
  assert.ok(second.every((me) => me.session === "s2"));
});

Deno.test("Client.logout() ends the session on the server, and the next request logs in again", async () => {
  const { server, sessions, logins, logouts } = sessionServer();
  await using _server = server;
  await using client = sessionClient(server);
  await client.get("/me");
  await client.logout();
  assert.equal(logouts.length, 1);
  assert.equal(logouts[0].path, "/api/v1/auth/logout");
  assert.match(logouts[0].headers.get("cookie")!, /rp_session=s1/);
  assert.equal(sessions.size, 0);
  await client.logout();
  assert.equal(logouts.length, 1, "a second logout sends nothing");
  assert.equal((await client.get<{ session: string }>("/me")).session, "s2");
  assert.equal(logins.length, 2);
});

Deno.test("Client.logout() does nothing for api endpoints", async () => {
  await using server = startServer(() => json({}));
  await using client = testClient(server.url, { credentials: ALICE });
  await client.logout();
  assert.equal(server.requests.length, 0);
});
