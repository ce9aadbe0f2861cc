import { deepEqual, doesNotMatch, match, ok } from "node:assert/strict";
import {
  api,
  assertIncludes,
  cookiePair,
  CSP,
  postLogin,
  seedRuns,
  ui,
} from "./_helpers.ts";
import { ADMIN_TOKEN } from "../_helpers/admin_token.ts";
import { PASSWORD } from "../_helpers/seed.ts";
import { startReferenceServer } from "../_helpers/reference_server.ts";

Deno.test("GET /ui pages redirect to the login page without a valid session", async (t) => {
  await using server = await startReferenceServer();
  const seeded = await seedRuns(server, "acme");
  const path = `/ui/acme/flow-runs/${seeded.runId}`;

  await t.step("no credentials", async () => {
    const page = await ui(server, path);
    deepEqual(page.status, 303);
    deepEqual(
      page.headers.get("location"),
      `/ui/login?next=${encodeURIComponent(path)}`,
    );
  });

  await t.step("an unknown session cookie", async () => {
    const page = await ui(server, "/ui/", {
      headers: { cookie: "runplane_session=not-a-session" },
    });
    deepEqual(page.status, 303);
    deepEqual(page.headers.get("location"), "/ui/login?next=%2Fui%2F");
  });

  await t.step("wrong Basic credentials", async () => {
    const page = await ui(server, "/ui/", {
      headers: { authorization: `Basic ${btoa("viewer-acme:wrong-password")}` },
    });
    deepEqual(page.status, 303);
  });

  await t.step("the login page keeps next in its form", async () => {
    const page = await ui(
      server,
      `/ui/login?next=${encodeURIComponent(path)}`,
    );
    deepEqual(page.status, 200);
    assertIncludes(page.text, `name="next" value="${path}"`);
  });
});

Deno.test("POST /ui/login sets the session cookie and redirects to next", async (t) => {
  await using server = await startReferenceServer();
  const seeded = await seedRuns(server, "acme");
  const path = `/ui/acme/flow-runs/${seeded.runId}`;

  const page = await postLogin(server, {
    username: "viewer-acme",
    password: PASSWORD,
    next: path,
  });
  const setCookie = page.headers.get("set-cookie") ?? "";

  await t.step("303 to next with the cookie's flags", () => {
    deepEqual(page.status, 303);
    deepEqual(page.headers.get("location"), path);
    match(setCookie, /^runplane_session=[^;]{20,};/);
    for (const flag of ["HttpOnly", "SameSite=Strict", "Path=/"]) {
      ok(
        setCookie.split("; ").includes(flag),
        `${flag} in ${setCookie}`,
      );
    }
    // Plain http here; loginCookieHeader() adds Secure over https.
    doesNotMatch(setCookie, /Secure/);
  });

  const cookie = cookiePair(setCookie);
  await t.step("the cookie opens the run page", async () => {
    const run = await ui(server, path, { headers: { cookie } });
    deepEqual(run.status, 200);
    assertIncludes(run.text, seeded.runId);
  });

  await t.step("the same cookie works for the API", async () => {
    const response = await fetch(new URL("/api/v1/me", server.url), {
      headers: { cookie },
    });
    deepEqual(await response.json(), {
      kind: "user",
      username: "viewer-acme",
    });
  });

  await t.step("an unsafe next lands on /ui/", async () => {
    for (
      const next of [
        "https://evil.example/ui/",
        "//evil.example/ui/",
        "/\\evil.example",
        "/api/v1/me",
        "/ui/../api/v1/me",
        "/ui/%2e%2e/api",
        "javascript:alert(1)",
        "",
      ]
    ) {
      const answer = await postLogin(server, {
        username: "viewer-acme",
        password: PASSWORD,
        next,
      });
      deepEqual(answer.status, 303, next);
      deepEqual(answer.headers.get("location"), "/ui/", next);
    }
  });

  await t.step("logout ends the session and clears the cookie", async () => {
    const out = await ui(server, "/ui/logout", {
      method: "POST",
      headers: { cookie, origin: server.url.origin },
    });
    deepEqual(out.status, 303);
    deepEqual(out.headers.get("location"), "/ui/login");
    match(
      out.headers.get("set-cookie") ?? "",
      /^runplane_session=;.*Max-Age=0/,
    );
    const after = await ui(server, path, { headers: { cookie } });
    deepEqual(after.status, 303);
  });
});

Deno.test("POST /ui/login answers 401 and the form for wrong credentials", async () => {
  await using server = await startReferenceServer();
  await seedRuns(server, "acme");
  const texts: string[] = [];
  for (
    const [username, password] of [
      ["viewer-acme", "wrong password"],
      ["nobody", PASSWORD],
      ["viewer-acme", ""],
    ]
  ) {
    const page = await postLogin(server, { username, password, next: "/ui/" });
    deepEqual(page.status, 401);
    deepEqual(page.headers.get("set-cookie"), null);
    assertIncludes(page.text, '<form class="login"');
    assertIncludes(page.text, "Invalid username or password");
    texts.push(page.text.replace(/value="[^"]*" autofocus/, ""));
  }
  // The same page whether the user or the password was wrong.
  deepEqual(texts[0], texts[1]);
});

Deno.test("POST /ui/login refuses a cross-site form", async (t) => {
  await using server = await startReferenceServer();
  await seedRuns(server, "acme");
  const fields = { username: "viewer-acme", password: PASSWORD };

  await t.step("another Origin is a 403 without a cookie", async () => {
    const page = await postLogin(server, fields, {
      origin: "http://evil.example",
    });
    deepEqual(page.status, 403);
    deepEqual(page.headers.get("set-cookie"), null);
    assertIncludes(page.text, "Cross-site request refused");
  });

  await t.step("Origin null is refused too", async () => {
    const page = await postLogin(server, fields, { origin: "null" });
    deepEqual(page.status, 403);
  });

  await t.step("Sec-Fetch-Site cross-site is refused", async () => {
    const page = await postLogin(server, fields, {
      "sec-fetch-site": "cross-site",
    });
    deepEqual(page.status, 403);
  });

  await t.step("a logout from another origin is refused", async () => {
    const page = await ui(server, "/ui/logout", {
      method: "POST",
      headers: { origin: "http://evil.example" },
    });
    deepEqual(page.status, 403);
  });

  await t.step("a body that is not a form is a 415", async () => {
    const page = await postLogin(server, fields, {
      "content-type": "application/json",
    });
    deepEqual(page.status, 415);
  });

  await t.step("without Origin (a non-browser client) it works", async () => {
    const response = await fetch(new URL("/ui/login", server.url), {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
    await response.body?.cancel();
    deepEqual(response.status, 303);
  });
});

Deno.test("GET /ui pages answer 404 across tenants, as the API does", async (t) => {
  await using server = await startReferenceServer();
  const acme = await seedRuns(server, "acme");
  const globex = await seedRuns(server, "globex");
  const headers = {
    authorization: `Basic ${btoa(`viewer-acme:${PASSWORD}`)}`,
  };

  await t.step("own tenant works", async () => {
    const page = await ui(server, `/ui/acme/flow-runs/${acme.runId}`, {
      headers,
    });
    deepEqual(page.status, 200);
  });

  for (
    const path of [
      `/ui/acme/flow-runs/${globex.runId}`,
      `/ui/acme/task-runs/${globex.taskRunId}`,
      `/ui/acme/flows/${globex.flowId}`,
      `/ui/acme/projects/${globex.projectId}`,
      `/ui/globex/flow-runs/${globex.runId}`,
      "/ui/globex/flow-runs",
      "/ui/globex",
      "/ui/no-such-tenant/flow-runs",
    ]
  ) {
    await t.step(path, async () => {
      const page = await ui(server, path, { headers });
      deepEqual(page.status, 404);
      assertIncludes(page.text, "not found");
      deepEqual(page.text.includes(globex.runId), false);
    });
  }

  await t.step("a tenant-scoped token is bound to its tenant", async () => {
    const bearer = { authorization: `Bearer ${acme.memberToken}` };
    deepEqual(
      (await ui(server, `/ui/acme/flow-runs/${acme.runId}`, {
        headers: bearer,
      })).status,
      200,
    );
    deepEqual(
      (await ui(server, "/ui/globex/flow-runs", { headers: bearer })).status,
      404,
    );
  });
});

Deno.test("GET /ui pages escape every interpolated value", async () => {
  await using server = await startReferenceServer();
  const seeded = await seedRuns(server, "acme", {
    runName: `<script>alert("name")</script>`,
    message: "<img src=x onerror=alert(1)>",
    logMessage: "<script>alert('log')</script>",
  });
  const headers = {
    authorization: `Basic ${btoa(`viewer-acme:${PASSWORD}`)}`,
  };
  for (
    const path of [
      `/ui/acme/flow-runs/${seeded.runId}`,
      "/ui/acme/flow-runs",
      `/ui/acme/task-runs/${seeded.taskRunId}`,
      `/ui/acme/flows/${seeded.flowId}`,
    ]
  ) {
    const page = await ui(server, path, { headers });
    deepEqual(page.status, 200, path);
    doesNotMatch(page.text, /<script/i, path);
    doesNotMatch(page.text, /<img/i, path);
  }
  const run = await ui(server, `/ui/acme/flow-runs/${seeded.runId}`, {
    headers,
  });
  assertIncludes(
    run.text,
    "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;",
  );
  assertIncludes(run.text, "&lt;img src=x onerror=alert(1)&gt;");
  assertIncludes(run.text, "&lt;script&gt;alert(&#39;log&#39;)");

  const login = await postLogin(server, {
    username: `"><script>alert(1)</script>`,
    password: "nope-nope",
    next: `/ui/"><script>`,
  });
  deepEqual(login.status, 401);
  doesNotMatch(login.text, /<script/i);
  assertIncludes(login.text, 'value="&quot;&gt;&lt;script&gt;');
  assertIncludes(login.text, 'name="next" value="/ui/"');
});

Deno.test("GET /ui responses carry the security headers and a request id", async () => {
  await using server = await startReferenceServer();
  const seeded = await seedRuns(server, "acme");
  const basic = {
    authorization: `Basic ${btoa(`viewer-acme:${PASSWORD}`)}`,
  };
  const pages = [
    await ui(server, `/ui/acme/flow-runs/${seeded.runId}`, { headers: basic }),
    await ui(server, "/ui/", { headers: basic }),
    await ui(server, "/ui/acme/flow-runs"),
    await ui(server, "/ui/login"),
    await postLogin(server, { username: "x", password: "y" }),
    await postLogin(server, { username: "x", password: "y" }, {
      origin: "http://evil.example",
    }),
    await ui(server, "/ui/login", { method: "DELETE" }),
    await ui(server, "/ui/acme/nothing/here/at/all", { headers: basic }),
    await ui(server, "/ui/acme/flow-runs/missing", { headers: basic }),
    await ui(server, "/"),
    await ui(server, "/ui"),
  ];
  deepEqual(
    pages.map((page) => page.status),
    [200, 200, 303, 200, 401, 403, 405, 404, 404, 303, 303],
  );
  for (const page of pages) {
    deepEqual(page.headers.get("content-type"), "text/html; charset=utf-8");
    deepEqual(page.headers.get("content-security-policy"), CSP);
    deepEqual(page.headers.get("x-frame-options"), "DENY");
    deepEqual(page.headers.get("x-content-type-options"), "nosniff");
    deepEqual(page.headers.get("referrer-policy"), "same-origin");
    match(page.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
    assertIncludes(page.text, "<!doctype html>");
  }
  deepEqual(pages[6].headers.get("allow"), "GET, POST");

  const echoed = await ui(server, "/ui/login", {
    headers: { "x-request-id": "trace-123" },
  });
  deepEqual(echoed.headers.get("x-request-id"), "trace-123");
});

Deno.test("GET /ui pages show tenants, runs, a run, a task run, a flow and a project", async (t) => {
  await using server = await startReferenceServer();
  const seeded = await seedRuns(server, "acme");
  const headers = {
    authorization: `Basic ${btoa(`viewer-acme:${PASSWORD}`)}`,
  };

  await t.step("/ui/ lists the user's tenants", async () => {
    const page = await ui(server, "/ui/", { headers });
    assertIncludes(page.text, 'href="/ui/acme/flow-runs"');
    assertIncludes(page.text, "Tenant acme");
    assertIncludes(page.text, "viewer");
  });

  await t.step(
    "/ui/:tenant/flow-runs lists runs newest first, at most 50",
    async () => {
      const token = seeded.memberToken;
      for (let i = 0; i < 51; i++) {
        await api(server, "POST", "/flow-runs", {
          token,
          body: {
            flowId: seeded.flowId,
            name: `run-${String(i).padStart(2, "0")}`,
          },
        });
      }
      const page = await ui(server, "/ui/acme/flow-runs", { headers });
      deepEqual(page.status, 200);
      const names = [...page.text.matchAll(/>(run-\d\d)</g)].map((m) => m[1]);
      deepEqual(names.length, 50);
      deepEqual(names[0], "run-50");
      deepEqual(names[49], "run-01");
      assertIncludes(page.text, "nightly v1");
    },
  );

  await t.step("the run page", async () => {
    const page = await ui(server, `/ui/acme/flow-runs/${seeded.runId}`, {
      headers,
    });
    const h1 = page.text.match(/<h1>([\s\S]*?)<\/h1>/)?.[1] ?? "";
    match(h1, /class="badge state-RUNNING"\s+data-state="RUNNING">RUNNING</);
    const timeline = page.text.slice(
      page.text.indexOf('<ol class="timeline">'),
    );
    const states = [
      ...timeline.slice(0, timeline.indexOf("</ol>"))
        .matchAll(/data-state="(\w+)"/g),
    ].map((m) => m[1]);
    deepEqual(states, ["SCHEDULED", "PENDING", "RUNNING"]);
    assertIncludes(page.text, "&quot;day&quot;: &quot;2026-01-02&quot;");
    assertIncludes(
      page.text,
      `href="/ui/acme/task-runs/${seeded.taskRunId}">extract</a>`,
    );
    assertIncludes(page.text, '<span class="tag">io</span>');
    match(
      page.text,
      /<td [^>]*class="message">First line<\/td>[\s\S]*WARNING[\s\S]*<td [^>]*class="message">Second line<\/td>/,
    );
  });

  await t.step("the task run, flow and project pages link back", async () => {
    const task = await ui(server, `/ui/acme/task-runs/${seeded.taskRunId}`, {
      headers,
    });
    deepEqual(task.status, 200);
    assertIncludes(task.text, `href="/ui/acme/flow-runs/${seeded.runId}"`);
    assertIncludes(task.text, "Second line");
    deepEqual(task.text.includes("First line"), false);

    const flow = await ui(server, `/ui/acme/flows/${seeded.flowId}`, {
      headers,
    });
    deepEqual(flow.status, 200);
    assertIncludes(flow.text, `href="/ui/acme/projects/${seeded.projectId}"`);

    const project = await ui(server, `/ui/acme/projects/${seeded.projectId}`, {
      headers,
    });
    deepEqual(project.status, 200);
    assertIncludes(project.text, `href="/ui/acme/flows/${seeded.flowId}"`);
  });

  await t.step(
    "a retried task run shows RETRYING, its start and its duration",
    async () => {
      const token = seeded.memberToken;
      let { version } = await api(
        server,
        "GET",
        `/task-runs/${seeded.taskRunId}`,
        {
          token,
        },
      );
      for (const state of ["RUNNING", "RETRYING", "RUNNING", "SUCCESS"]) {
        ({ version } = await api(
          server,
          "POST",
          `/task-runs/${seeded.taskRunId}/state`,
          { token, body: { version, state } },
        ));
      }
      const task = await ui(server, `/ui/acme/task-runs/${seeded.taskRunId}`, {
        headers,
      });
      const timeline = task.text.slice(
        task.text.indexOf('<ol class="timeline">'),
      );
      deepEqual(
        [
          ...timeline.slice(0, timeline.indexOf("</ol>"))
            .matchAll(/data-state="(\w+)"/g),
        ].map((m) => m[1]),
        ["PENDING", "RUNNING", "RETRYING", "RUNNING", "SUCCESS"],
      );
      match(task.text, /<dt>Started<\/dt>\s*<dd><time datetime="[^"]+Z">/);
      match(
        task.text,
        /<dt>Duration<\/dt>\s*<dd><span class="duration">\d+ m?s<\/span>/,
      );
      const run = await ui(server, `/ui/acme/flow-runs/${seeded.runId}`, {
        headers,
      });
      match(run.text, /<th>Duration<\/th>/);
      match(run.text, /<span class="duration">\d+ m?s<\/span>/);
    },
  );

  await t.step("the admin token may view any tenant", async () => {
    const page = await ui(server, "/ui/acme/flow-runs", {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    deepEqual(page.status, 200);
  });

  await t.step("a signed-in page offers logout only to a session", async () => {
    const basicPage = await ui(server, "/ui/", { headers });
    deepEqual(basicPage.text.includes('action="/ui/logout"'), false);
    const login = await postLogin(server, {
      username: "viewer-acme",
      password: PASSWORD,
    });
    const cookie = cookiePair(login.headers.get("set-cookie"));
    const sessionPage = await ui(server, "/ui/", { headers: { cookie } });
    assertIncludes(sessionPage.text, 'action="/ui/logout"');
  });
});
