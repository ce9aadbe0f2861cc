/**
 * The package version, sent in the default `User-Agent`. It must match
 * `version` in `deno.json`; a test checks that it does.
 *
 * @module
 */

/** The version of `@runplane/client`. */
export const VERSION = "0.1.0";
