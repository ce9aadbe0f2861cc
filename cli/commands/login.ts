/**
 * `runplane login`: checks credentials against the API and saves them for
 * the other commands.
 *
 * @module
 */

import { Client } from "../../client/client.ts";
import { Credentials } from "../../auth/credentials.ts";
import { loadConfig } from "../../config/config.ts";
import { saveCredentials } from "../../config/credentials_file.ts";
import { type Command, text, UsageError } from "../command.ts";

/** `login`. */
export const LOGIN_COMMANDS: readonly Command[] = [{
  name: "login",
  usage:
    "[--token T | --username U [--password P] | --access-key A [--secret-key S]]\n" +
    "                  (no flag: the token at a hidden prompt, or on stdin)",
  flags: {
    "token": { type: "string" },
    "username": { type: "string" },
    "password": { type: "string" },
    "access-key": { type: "string" },
    "secret-key": { type: "string" },
  },
  async run({ flags, io, configOptions }) {
    let credentials: Credentials;
    if (text(flags.token) !== undefined) {
      credentials = new Credentials({ token: text(flags.token)! });
    } else if (text(flags.username) !== undefined) {
      credentials = new Credentials({
        username: text(flags.username)!,
        password: text(flags.password) ?? (await io.readStdin()).trim(),
      });
    } else if (text(flags["access-key"]) !== undefined) {
      credentials = new Credentials({
        accessKey: text(flags["access-key"])!,
        secretKey: text(flags["secret-key"]) ?? (await io.readStdin()).trim(),
      });
    } else {
      // Off the command line, which `deno task` echoes and CI logs keep.
      const token = (await io.promptSecret!("Token: ")).trim();
      if (token === "") {
        throw new UsageError(
          "login needs a token: type it at the prompt, pipe it on stdin, or pass --token, --username or --access-key",
        );
      }
      credentials = new Credentials({ token });
    }
    const config = loadConfig(configOptions);
    await using client = new Client({ credentials, config });
    const tenants = await client.tenants.list().toArray();
    const path = await saveCredentials(credentials, {
      home: config.home,
      endpoint: config.endpoints,
    });
    if (flags.json) {
      io.stdout(JSON.stringify({ saved: path, tenants }) + "\n");
    } else {
      io.stdout(
        `Logged in (${credentials.mode}); ${tenants.length} tenant(s) visible. Credentials saved to ${path}\n`,
      );
    }
    return 0;
  },
}];
