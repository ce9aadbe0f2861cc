/**
 * The server key: where it comes from, and the check that it is the key the
 * database was sealed with. A server started with another key would answer
 * 500 to every secret read and 409 to every idempotent retry, so it refuses
 * to start instead, saying how to fix it.
 *
 * @module
 */

import { accessKeyContext } from "./authentication.ts";
import { CryptoBox, fromBase64, toBase64 } from "./crypto_box.ts";
import { secretContext } from "./routes/secrets.ts";
import type { Store } from "./store.ts";

/** Where the server key comes from. */
export interface ServerKeySource {
  /** Base64 of 32 bytes, from the `serverKey` option or `RUNPLANE_SERVER_KEY`. */
  key?: string;
  /** What `key` came from, for messages. */
  keyOrigin?: string;
  /** The key file, or `undefined` for a throw-away database. */
  keyFile?: string;
  /** The database, for messages. */
  databasePath: string;
}

const CHECK_PURPOSE = "server-key-check";

/**
 * Loads the server key and checks it against the database: the given key,
 * else the key file, else (for a database that holds nothing sealed) a new
 * key written to the key file with mode 0600 and synced to disk.
 *
 * @param store The opened database.
 * @param source The given key and the key file.
 * @returns The key, recorded in the database by its check value.
 * @throws {TypeError} For a key that is not base64 of 32 bytes.
 * @throws {Error} When the key file is missing or the key does not match,
 * while the database holds data sealed under its key.
 */
export async function openServerKey(
  store: Store,
  source: ServerKeySource,
): Promise<CryptoBox> {
  const box = await loadKey(store, source);
  const check = await box.mac(CHECK_PURPOSE, "");
  const stored = await store.serverKeyCheck();
  if (stored === undefined) {
    // A database from before the check value: its sealed data says whether
    // the key is right.
    if (!await opensSample(store, box)) throw mismatch(source);
    await store.setServerKeyCheck(check);
  } else if (stored !== check) {
    throw mismatch(source);
  }
  return box;
}

async function loadKey(
  store: Store,
  source: ServerKeySource,
): Promise<CryptoBox> {
  if (source.key !== undefined) {
    return CryptoBox.fromKeyBytes(
      decodeKey(source.key, source.keyOrigin ?? "serverKey"),
    );
  }
  const keyFile = source.keyFile;
  if (keyFile === undefined) {
    return CryptoBox.fromKeyBytes(crypto.getRandomValues(new Uint8Array(32)));
  }
  try {
    const text = (await Deno.readTextFile(keyFile)).trim();
    return CryptoBox.fromKeyBytes(decodeKey(text, keyFile));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  if (
    await store.serverKeyCheck() !== undefined ||
    await store.sealedSample() !== undefined
  ) {
    throw new Error(
      `Cannot start: the database ${source.databasePath} holds data sealed with a server key, but the key file ${keyFile} is missing: restore the file, or set RUNPLANE_SERVER_KEY to that key`,
    );
  }
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  try {
    await writeKeyFile(keyFile, toBase64(bytes) + "\n");
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    // Another server on the same new database wrote its key first: share it.
    return loadKey(store, source);
  }
  return CryptoBox.fromKeyBytes(bytes);
}

/**
 * Writes a new key file, readable by its owner only, and syncs it and its
 * folder to disk.
 *
 * @throws {Deno.errors.AlreadyExists} When another server wrote one first.
 */
async function writeKeyFile(path: string, text: string): Promise<void> {
  // The key is written whole to a private name, then linked to its real
  // name: a server starting at the same moment sees no file or a complete
  // one, never a half-written one, and a link never replaces an existing key.
  const partial = `${path}.${crypto.randomUUID()}.partial`;
  const file = await Deno.open(partial, {
    write: true,
    createNew: true,
    mode: 0o600,
  });
  try {
    const bytes = new TextEncoder().encode(text);
    let written = 0;
    while (written < bytes.length) {
      written += await file.write(bytes.subarray(written));
    }
    // The database records the key's check value next: the key must be on
    // disk before that, or a crash would leave a database nothing can open.
    await file.sync();
  } finally {
    file.close();
  }
  try {
    await Deno.link(partial, path);
  } finally {
    await Deno.remove(partial);
  }
  const slash = path.lastIndexOf("/");
  const folder = await Deno.open(slash > 0 ? path.slice(0, slash) : ".");
  try {
    // The file's name lives in its folder: sync that too, or a power cut
    // could lose the file after the database has recorded its key.
    await folder.sync();
  } finally {
    folder.close();
  }
}

async function opensSample(store: Store, box: CryptoBox): Promise<boolean> {
  const sample = await store.sealedSample();
  if (sample === undefined) return true;
  const context = sample.kind === "secret"
    ? secretContext(sample.tenantId, sample.name)
    : accessKeyContext(sample.accessKey);
  try {
    await box.open(sample.sealed, context);
    return true;
  } catch {
    return false;
  }
}

function mismatch(source: ServerKeySource): Error {
  const given = source.key !== undefined
    ? source.keyOrigin ?? "the serverKey option"
    : source.keyFile ?? "the generated key";
  return new Error(
    `Cannot start: the server key from ${given} is not the key the database ${source.databasePath} was sealed with: use the original key (key file, RUNPLANE_SERVER_KEY or the serverKey option)`,
  );
}

function decodeKey(text: string, where: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(text);
  } catch {
    throw new TypeError(`Cannot read the server key from ${where}: not base64`);
  }
  if (bytes.length !== 32) {
    throw new TypeError(
      `Cannot read the server key from ${where}: expected 32 bytes, got ${bytes.length}`,
    );
  }
  return bytes;
}
