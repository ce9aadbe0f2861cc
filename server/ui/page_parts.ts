/**
 * The building blocks the web view's pages share: the signed-in page frame,
 * tables, definition lists, clipped text and flow links.
 *
 * @module
 */

import type { Store } from "../store.ts";
import type { Flow, Tenant } from "../../api/mod.ts";
import { displayName, type UiContext } from "./context.ts";
import { html, type HtmlValue, type SafeHtml } from "./html.ts";
import { htmlResponse, layout, link, uiPath } from "./layout.ts";

/** How much of a log message or state message a page shows; the rest is a link away. */
export const MESSAGE_PREVIEW = 2_000;

/** A signed-in page: breadcrumbs, then the content. */
export function page(
  ctx: UiContext,
  title: string,
  crumbs: Array<[string, string]>,
  body: SafeHtml,
  options: { refreshSeconds?: number } = {},
): Response {
  const trail = [
    link("/ui/", "Tenants"),
    ...crumbs.map(([text, href]) =>
      html`
        / ${link(href, text)}
      `
    ),
  ];
  return htmlResponse(layout({
    title,
    who: displayName(ctx.principal),
    canLogOut: ctx.principal.kind === "user" &&
      ctx.principal.via === "session",
    refreshSeconds: options.refreshSeconds,
    body: html`<nav class="crumbs">${trail}</nav>
${body}`,
  }));
}

/**
 * At most `max` characters of `text`, and when it is longer, how long it is
 * and (given `whole`) a link to all of it.
 */
export function clip(text: string, max: number, whole?: string): SafeHtml {
  if (text.length <= max) return html`${text}`;
  const rest = `… (${text.length.toLocaleString("en")} characters)`;
  // No line break before the link: a clipped message is shown pre-wrapped.
  return html`${text.slice(0, max)}<span class="muted">${rest}</span>${
    whole === undefined ? "" : html`
      ${link(whole, "Whole line")}
    `
  }`;
}

/** A table cell: a value, or a value with a class. */
type Cell = HtmlValue | { className: string; value: HtmlValue };

/**
 * A table with a heading row, or a note when there are no rows. Each cell
 * carries its column's heading as `data-label`: at a phone's width a row is
 * shown as a card of labelled lines, because a wide table squeezed into
 * 390 px breaks every name into pieces.
 */
export function dataTable(
  className: string,
  headings: string[],
  rows: Cell[][],
  empty: string,
): SafeHtml {
  if (rows.length === 0) return html`<p class="empty">${empty}</p>`;
  const cell = (value: Cell, index: number) =>
    typeof value === "object" && value !== null && "className" in value
      ? html`<td data-label="${
        headings[index]
      }" class="${value.className}">${value.value}</td>`
      : html`<td data-label="${headings[index]}">${value}</td>`;
  return html`
    <table class="${className}">
      <thead>
        <tr>${headings.map((heading) => html`<th>${heading}</th>`)}</tr>
      </thead>
      <tbody>${rows.map((row) => html`<tr>${row.map(cell)}</tr>`)}</tbody>
    </table>
  `;
}

/** Names and values, as a definition list. */
export function details(entries: Array<[string, HtmlValue]>): SafeHtml {
  return html`<dl>${
    entries.map(([name, value]) =>
      html`
        <dt>${name}</dt>
        <dd>${value}</dd>
      `
    )
  }</dl>`;
}

export function flowLink(
  tenant: Tenant,
  flowId: string,
  flow: Flow | undefined,
): SafeHtml {
  return link(
    uiPath(tenant.slug, "flows", flowId),
    flow ? `${flow.name} v${flow.version}` : flowId,
  );
}

/** Looks flows up once each, for a page that lists many runs of few flows. */
export function flowLookup(
  store: Store,
  tenantId: string,
): (id: string) => Promise<Flow | undefined> {
  const seen = new Map<string, Promise<Flow | undefined>>();
  return function lookUpFlow(id) {
    let found = seen.get(id);
    if (!found) {
      found = store.flow(tenantId, id);
      seen.set(id, found);
    }
    return found;
  };
}
