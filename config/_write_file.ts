/**
 * Writes the files under the home folder (`credentials.json`,
 * `profiles.json`): replaced atomically, readable by the owner only.
 *
 * @module
 */

/**
 * Writes `text` to `home/name` through a temporary file and a rename, with
 * mode 0600; a missing home folder is created with mode 0700, and an
 * existing one keeps its mode.
 *
 * @returns The path written.
 */
export async function writePrivateFile(
  home: string,
  name: string,
  text: string,
): Promise<string> {
  if (!await exists(home)) {
    await Deno.mkdir(home, { recursive: true, mode: 0o700 });
    // The umask may have narrowed or widened what mkdir asked for.
    await Deno.chmod(home, 0o700);
  }
  const path = `${home}/${name}`;
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeTextFile(temporary, text, { mode: 0o600, createNew: true });
    await Deno.chmod(temporary, 0o600);
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
  return path;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
