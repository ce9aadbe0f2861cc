/**
 * The query string of a request, built once per call.
 *
 * @module
 */

/** Query parameters; `undefined` and `null` are left out, arrays repeat the name. */
export type QueryParams = Readonly<
  Record<
    string,
    | string
    | number
    | boolean
    | null
    | undefined
    | readonly (string | number | boolean)[]
  >
>;

/**
 * `query` as a query string with its leading `?`, or `""` when nothing is set.
 *
 * @example
 * ```ts
 * import { equal } from "node:assert/strict";
 * import { queryString } from "./query_string.ts";
 *
 * equal(queryString({ state: ["FAILED", "CRASHED"], limit: 20, cursor: undefined }), "?state=FAILED&state=CRASHED&limit=20");
 * ```
 */
export function queryString(query: QueryParams | undefined): string {
  if (query === undefined) return "";
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value) params.append(name, String(item));
    } else {
      params.append(name, String(value));
    }
  }
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}
