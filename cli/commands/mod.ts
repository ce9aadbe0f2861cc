/**
 * The command table: every command of `runplane`, in the order `--help`
 * lists them. Add a command by adding its entry to a module here (or a new
 * module) and, for a new module, one line below.
 *
 * @module
 */

import type { Command } from "../command.ts";
import { LOGIN_COMMANDS } from "./login.ts";
import { PROFILE_COMMANDS } from "./profile.ts";
import { PROJECT_COMMANDS } from "./projects.ts";
import { FLOW_RUN_COMMANDS } from "./flow_runs.ts";
import { LOG_AND_SECRET_COMMANDS } from "./logs.ts";
import { CREDENTIAL_COMMANDS } from "./credentials.ts";
import { USER_COMMANDS } from "./users.ts";
import { LIMIT_COMMANDS } from "./limits.ts";
import { SERVE_COMMANDS } from "./serve.ts";

/** Every command. */
export const COMMANDS: readonly Command[] = [
  ...LOGIN_COMMANDS,
  ...PROFILE_COMMANDS,
  ...PROJECT_COMMANDS,
  ...FLOW_RUN_COMMANDS,
  ...LOG_AND_SECRET_COMMANDS,
  ...CREDENTIAL_COMMANDS,
  ...USER_COMMANDS,
  ...LIMIT_COMMANDS,
  ...SERVE_COMMANDS,
];
