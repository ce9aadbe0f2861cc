/**
 * How the client's values show in Deno's Jupyter kernel: a non-enumerable
 * `Symbol.for("Jupyter.display")` method, which the kernel awaits. The
 * renderers (`render.ts`) load when a notebook first shows a value, not with
 * the client: most programs that import the client never run in a notebook,
 * and each module adds to every cold start.
 *
 * @module
 */

import type { MimeBundle } from "./render.ts";

/** The symbol Deno's Jupyter kernel calls to display a value. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for(
  "Jupyter.display",
) as never;

/** The renderers, as `render.ts` exports them. */
export type Renderers = typeof import("./render.ts");

let loading: Promise<Renderers> | undefined;

/**
 * A MIME bundle made with the renderers, once they are loaded.
 *
 * @param show Makes the bundle.
 * @returns The bundle.
 *
 * @example
 * ```ts
 * import { renderLater } from "./display.ts";
 *
 * const bundle = await renderLater((renderers) => renderers.renderState({ type: "FAILED", timestamp: "" }));
 * console.assert(bundle["text/plain"] === "FAILED");
 * ```
 */
export function renderLater(
  show: (renderers: Renderers) => MimeBundle,
): Promise<MimeBundle> {
  loading ??= import("./render.ts");
  return loading.then(show);
}

/**
 * Attaches a display method to a value, without making it enumerable. The
 * method resolves to the bundle `show` makes, once the renderers are loaded.
 *
 * @typeParam T The value's type.
 * @param value The object or array to make displayable.
 * @param show Turns the value into a MIME bundle when a notebook shows it.
 * @returns The same value.
 *
 * @example
 * ```ts
 * import { displayable, JUPYTER_DISPLAY } from "./display.ts";
 * import type { MimeBundle } from "./render.ts";
 *
 * const state = displayable(
 *   { type: "SUCCESS" as const, timestamp: "2026-11-22T14:43:04Z" },
 *   (renderers, shown) => renderers.renderState(shown),
 * );
 * console.assert(JSON.stringify(state) === '{"type":"SUCCESS","timestamp":"2026-11-22T14:43:04Z"}');
 * const display = (state as unknown as Record<symbol, () => Promise<MimeBundle>>)[JUPYTER_DISPLAY];
 * console.assert((await display())["text/plain"] === "SUCCESS");
 * ```
 */
export function displayable<T extends object>(
  value: T,
  show: (renderers: Renderers, value: T) => MimeBundle,
): T {
  if (
    typeof value === "object" && value !== null && Object.isExtensible(value)
  ) {
    Object.defineProperty(value, JUPYTER_DISPLAY, {
      value: () => renderLater((renderers) => show(renderers, value)),
      enumerable: false,
      configurable: true,
    });
  }
  return value;
}
