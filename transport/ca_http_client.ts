/**
 * {@linkcode createCaHttpClient}: the HTTP client that trusts a private CA,
 * for `config.caCertFile`.
 *
 * @module
 */

import { ConfigError } from "../errors.ts";

/**
 * Reads a PEM file and returns an HTTP client that trusts it.
 *
 * @param caCertFile The path of the PEM file.
 * @returns The HTTP client; close it when done.
 * @throws {ConfigError} When the file cannot be read.
 */
export function createCaHttpClient(caCertFile: string): Deno.HttpClient {
  let pem: string;
  try {
    pem = Deno.readTextFileSync(caCertFile);
  } catch (cause) {
    throw new ConfigError(
      `Cannot read caCertFile ${caCertFile}: check the path and read permission`,
      { cause },
    );
  }
  return Deno.createHttpClient({ caCerts: [pem] });
}
