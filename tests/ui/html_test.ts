import { deepEqual, equal, ok } from "node:assert/strict";
import { html, SafeHtml } from "../../server/ui/html.ts";
import { escapeHtml } from "../../escape.ts";
import { safeNext } from "../../server/ui/login.ts";
import { stateBadge } from "../../server/ui/layout.ts";
import { loginCookieHeader } from "../../server/routes/logins.ts";

Deno.test("escapeHtml() replaces the five markup characters", () => {
  equal(
    escapeHtml(`<a href="x" title='y'>&amp;</a>`),
    "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;",
  );
});

Deno.test("html() escapes interpolated values by default", async (t) => {
  await t.step("strings, numbers and booleans", () => {
    const evil = `"><script>alert(1)</script>`;
    equal(
      html`<p title="${evil}">${evil} ${42} ${true}</p>`.value,
      `<p title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; 42 true</p>`,
    );
  });

  await t.step("nested templates are kept, their values escaped once", () => {
    const inner = html`<b>${"a<b"}</b>`;
    ok(inner instanceof SafeHtml);
    equal(html`<i>${inner}</i>`.value, "<i><b>a&lt;b</b></i>");
  });

  await t.step("arrays are joined, each item escaped", () => {
    equal(
      html`<ul>${["<x>", html`<li>y</li>`, ["&"]]}</ul>`.value,
      "<ul>&lt;x&gt;<li>y</li>&amp;</ul>",
    );
  });

  await t.step("null, undefined and false are empty", () => {
    equal(html`[${null}${undefined}${false}]`.value, "[]");
  });

  await t.step("an object that only looks safe is escaped", () => {
    const fake = { value: "<script>" } as unknown as SafeHtml;
    equal(html`${fake}`.value, "[object Object]");
  });
});

Deno.test("stateBadge() names the state in its class and text", () => {
  const badge = stateBadge({ type: "FAILED" }).value;
  ok(badge.includes('class="badge state-FAILED"'), badge);
  ok(badge.includes(">FAILED</span>"), badge);
});

Deno.test("safeNext() keeps relative /ui/ paths only", () => {
  for (
    const good of ["/ui/", "/ui/acme/flow-runs/1-2", "/ui/acme/flow-runs?x=1"]
  ) {
    equal(safeNext(good), good);
  }
  const bad = [
    null,
    undefined,
    "",
    "/",
    "/ui",
    "/api/v1/me",
    "https://evil.example/ui/",
    "//evil.example/ui/",
    "/ui//evil.example",
    "/\\evil.example",
    "/ui/\\evil",
    "/ui/../api/v1/me",
    "/ui/./x",
    "/ui/%2e%2e/api",
    "/ui/%2F%2Fevil",
    "/ui/\r\nx",
    `/ui/"><script>`,
    "/ui/" + "a".repeat(3000),
  ];
  deepEqual(bad.map(safeNext), bad.map(() => "/ui/"));
});

Deno.test("loginCookieHeader() adds Secure and the __Host- prefix over https only", () => {
  equal(
    loginCookieHeader(new URL("https://runplane.example/ui/login"), "s1", 60),
    "__Host-runplane_session=s1; HttpOnly; SameSite=Strict; Path=/; Max-Age=60; Secure",
  );
  equal(
    loginCookieHeader(new URL("http://127.0.0.1:4200/ui/login"), "s1", 60),
    "runplane_session=s1; HttpOnly; SameSite=Strict; Path=/; Max-Age=60",
  );
});
