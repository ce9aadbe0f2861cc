/**
 * The web UI's page chrome and small pieces: the layout with its one inline
 * stylesheet, state badges, times, links, and HTML and redirect responses.
 *
 * @module
 */

import { html, type HtmlValue, SafeHtml } from "./html.ts";
import type { State } from "../../api/mod.ts";

/**
 * The headers of every page; the security headers (CSP and the rest) are
 * set by the web view's `secureHeaders()` middleware in `mod.ts`.
 */
const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
};

const STYLE = `
:root { color-scheme: light; --fg: #0f172a; --muted: #64748b; --line: #e2e8f0; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, sans-serif; color: var(--fg); background: #f8fafc; }
header { display: flex; align-items: center; gap: 1rem; padding: .6rem 1.5rem; background: #0f172a; color: #f8fafc; }
header a { color: #f8fafc; text-decoration: none; font-weight: 600; }
header .who { margin-left: auto; color: #cbd5e1; }
header form { margin: 0; }
main { max-width: 72rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; display: flex; gap: .75rem; align-items: center; flex-wrap: wrap; }
h2 { font-size: 1.1rem; margin: 1.75rem 0 .5rem; }
a { color: #1d4ed8; }
nav.crumbs { color: var(--muted); margin-bottom: 1rem; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f1f5f9; font-weight: 600; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; background: #fff; border: 1px solid var(--line); padding: .75rem 1rem; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
pre, code { font: 12.5px/1.45 ui-monospace, monospace; }
pre { background: #fff; border: 1px solid var(--line); padding: .75rem; overflow: auto; margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
ol.timeline { list-style: none; padding: 0; margin: 0; border-left: 2px solid var(--line); }
ol.timeline li { padding: .3rem 0 .3rem 1rem; }
.muted, time { color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
.message { white-space: pre-wrap; overflow-wrap: anywhere; }
.level { font-weight: 600; }
.level-WARNING { color: #b45309; } .level-ERROR, .level-CRITICAL { color: #b91c1c; } .level-DEBUG { color: var(--muted); }
.tag { display: inline-block; padding: 0 .4rem; margin-right: .25rem; border-radius: .25rem; background: #f1f5f9; border: 1px solid var(--line); }
.badge { display: inline-block; padding: .1rem .55rem; border-radius: 999px; font-size: .75rem; font-weight: 700; letter-spacing: .03em; }
.state-SCHEDULED { background: #e2e8f0; color: #334155; }
.state-PENDING { background: #fef3c7; color: #92400e; }
.state-RUNNING { background: #dbeafe; color: #1d4ed8; }
.state-QUEUED { background: #ede9fe; color: #6d28d9; }
.state-RETRYING { background: #ffedd5; color: #c2410c; }
.state-SUCCESS { background: #dcfce7; color: #15803d; }
.state-FAILED { background: #fee2e2; color: #b91c1c; }
.state-CANCELLED { background: #e5e7eb; color: #4b5563; }
.state-CACHED { background: #ccfbf1; color: #0f766e; }
form.login { max-width: 22rem; margin: 3rem auto; background: #fff; border: 1px solid var(--line); padding: 1.5rem; display: grid; gap: .75rem; }
form.login label { display: grid; gap: .25rem; }
input { font: inherit; padding: .4rem .5rem; border: 1px solid #cbd5e1; border-radius: .25rem; }
button { font: inherit; padding: .4rem .9rem; border: 0; border-radius: .25rem; background: #1d4ed8; color: #fff; cursor: pointer; }
header button { background: transparent; border: 1px solid #475569; color: #f8fafc; padding: .15rem .6rem; }
h1 form.action { margin: 0 0 0 auto; }
h1 form.action button { font-size: .85rem; background: #b91c1c; }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: 0 0 1rem; }
select { font: inherit; padding: .35rem .4rem; border: 1px solid #cbd5e1; border-radius: .25rem; background: #fff; }
td time { white-space: nowrap; }
table.logs td { font: 12.5px/1.45 ui-monospace, monospace; }
table.logs td:first-child { width: 13.5rem; white-space: nowrap; }
.gantt-frame { overflow-x: auto; background: #fff; border: 1px solid var(--line); }
svg.gantt { display: block; width: 100%; max-width: 60rem; height: auto; }
svg.gantt text { font: 12px system-ui, sans-serif; fill: var(--fg); }
ol.timeline .stayed { white-space: nowrap; }
ol.timeline .message { display: block; }
dl + pre.message { margin-top: 1rem; }
/* At a phone's width a table row is a card of labelled lines (each cell's
   data-label), and a log line is its time and level over its message: the
   page never scrolls sideways, and names are not broken into pieces. */
@media (max-width: 40rem) {
  main { padding: 1rem .75rem; }
  header { padding: .6rem .75rem; }
  h1 { font-size: 1.3rem; }
  dl { gap: .15rem .75rem; padding: .6rem .75rem; }
  table, tbody, tr, td { display: block; }
  table { border: 0; background: transparent; }
  thead { display: none; }
  tr { background: #fff; border: 1px solid var(--line); border-radius: .25rem; padding: .4rem .6rem; margin-bottom: .5rem; }
  td { position: relative; border: 0; padding: .1rem 0 .1rem 6.5rem; overflow-wrap: anywhere; }
  td::before { content: attr(data-label); position: absolute; left: 0; width: 6rem; color: var(--muted); }
  table.logs td { padding: 0; }
  table.logs td::before { content: none; }
  table.logs td:first-child, table.logs td.level { display: inline-block; width: auto; margin-right: .6rem; }
  svg.gantt { width: 36rem; max-width: none; }
}
.error { color: #b91c1c; background: #fee2e2; padding: .5rem .75rem; border-radius: .25rem; margin: 0; }
`;

// A constant of this module, so it may skip escaping (which would mangle `>`).
const STYLESHEET = new SafeHtml(STYLE);

/** What {@linkcode layout} draws. */
export interface LayoutOptions {
  /** The `<title>` (the product name is added). */
  title: string;
  /** The signed-in user's name, shown in the header; none on the login page. */
  who?: string;
  /** Whether to offer the logout button (only a cookie session can log out). */
  canLogOut?: boolean;
  /**
   * Reload the page every so many seconds (a `<meta http-equiv="refresh">`:
   * no script, so the page stays within its Content-Security-Policy).
   * @default {undefined} never
   */
  refreshSeconds?: number;
  /** The page's content. */
  body: SafeHtml;
}

/** A whole page. */
export function layout(options: LayoutOptions): SafeHtml {
  return html`
    <!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>${options
          .title} · Runplane</title>${options.refreshSeconds === undefined
          ? ""
          : html`<meta http-equiv="refresh" content="${options.refreshSeconds}">`}
        <style>${STYLESHEET}</style>
      </head>
      <body>
        <header>
    <a href="/ui/">Runplane</a>
    ${options.who === undefined
      ? ""
      : html`<span class="who">${options.who}</span>
${
        options.canLogOut
          ? html`
            <form method="post"
              action="/ui/logout"><button type="submit">Log out</button></form>
          `
          : ""
      }`}
        </header>
        <main>
    ${options.body}
        </main>
      </body>
    </html>
  `;
}

/** A coloured badge for a state type. */
export function stateBadge(state: Pick<State, "type">): SafeHtml {
  return html`
    <span class="badge state-${state.type}"
      data-state="${state.type}">${state.type}</span>
  `;
}

/** An ISO time as `2026-11-22 14:43:04 UTC`, with the exact time in `datetime`. */
export function time(iso: string | null | undefined): SafeHtml {
  if (iso === null || iso === undefined) {
    return html`<span class="muted">—</span>`;
  }
  const shown = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(iso)
    ? iso.replace("T", " ").replace(/(\.\d+)?Z$/, " UTC")
    : iso;
  return html`<time datetime="${iso}">${shown}</time>`;
}

/** A run's duration, such as `850 ms` or `12.4 s`, or a dash while unknown. */
export function duration(ms: number | null): SafeHtml {
  if (ms === null) return html`<span class="muted">—</span>`;
  return html`<span class="duration">${
    ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`
  }</span>`;
}

/** A link to a UI path built from segments, each URL-encoded. */
export function uiPath(...segments: string[]): string {
  return `/ui/${segments.map(encodeURIComponent).join("/")}`;
}

/** An anchor. */
export function link(href: string, text: HtmlValue): SafeHtml {
  return html`<a href="${href}">${text}</a>`;
}

/** An HTML response with the UI's headers. */
export function htmlResponse(
  body: SafeHtml,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  return new Response(body.value.trim(), {
    status,
    headers: { ...PAGE_HEADERS, ...headers },
  });
}

/** A 303 redirect to a same-origin path, with a tiny page for clients that do not follow it. */
export function redirect(
  location: string,
  headers: Record<string, string> = {},
): Response {
  return htmlResponse(
    layout({
      title: "Redirecting",
      body: html`<p>Continue to ${link(location, location)}.</p>`,
    }),
    303,
    { ...headers, location },
  );
}

/** A page for an error status, with a message safe to show. */
export function errorPage(
  status: number,
  message: string,
  who?: string,
  requestId?: string,
): Response {
  return htmlResponse(
    layout({
      title: message,
      who,
      body: html`<h1>${message}</h1>
<p class="muted">Status ${status}${
        requestId === undefined ? "" : html`
          · request ${requestId}
        `
      }</p>
<p>${link("/ui/", "Back to your tenants")}</p>`,
    }),
    status,
  );
}
