/**
 * `runplane serve`: the local reference server, with its own flags.
 *
 * @module
 */

import type { Command } from "../command.ts";

/** `serve`. */
export const SERVE_COMMANDS: readonly Command[] = [{
  name: "serve",
  usage:
    "[--port N] [--hostname H] [--database PATH] [--admin-token T] [--public-url URL]",
  rawArgs: true,
  async run({ args, io }) {
    // Loaded only here, so the other commands never load the server.
    const server = await import("../../server/main.ts");
    try {
      await server.main([...args]);
      return 0;
    } catch (error) {
      io.stderr(
        `error: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      return 2;
    }
  },
}];
