/**
 * HTML that escapes by default: {@linkcode html} escapes every interpolated
 * value unless it is already {@linkcode SafeHtml} (made by `html` itself), so
 * a page can only contain markup its own templates wrote.
 *
 * @example
 * ```ts
 * import { html } from "./html.ts";
 *
 * const name = "<script>alert(1)</script>";
 * const page = html`<p>${name}</p>`;
 * console.assert(page.value === "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
 * ```
 *
 * @module
 */

import { escapeHtml } from "../../escape.ts";

/** Markup that is safe to embed as is: only {@linkcode html} makes it. */
export class SafeHtml {
  /** The markup. */
  readonly value: string;

  /** Made by {@linkcode html}; never wrap untrusted text in one. */
  constructor(value: string) {
    this.value = value;
  }

  /** The markup. */
  toString(): string {
    return this.value;
  }
}

/** What a template may interpolate; arrays are joined, and nullish or `false` is empty. */
export type HtmlValue =
  | SafeHtml
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly HtmlValue[];

/**
 * A tagged template that escapes every interpolated value, except
 * {@linkcode SafeHtml} from a nested `html` template.
 *
 * @param strings The template's literal parts, trusted markup.
 * @param values The interpolated values, escaped.
 * @returns The markup.
 *
 * @example
 * ```ts
 * import { html } from "./html.ts";
 *
 * const rows = ["a&b", "c"].map((item) => html`<li>${item}</li>`);
 * console.assert(html`<ul>${rows}</ul>`.value === "<ul><li>a&amp;b</li><li>c</li></ul>");
 * ```
 */
export function html(
  strings: TemplateStringsArray,
  ...values: HtmlValue[]
): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) {
    out += render(values[i]) + strings[i + 1];
  }
  return new SafeHtml(out);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (value === null || value === undefined || value === false) return "";
  if (Array.isArray(value)) return value.map(render).join("");
  return escapeHtml(String(value));
}
