/**
 * Runs the command line in-process for the CLI tests, with captured output,
 * a given environment, stdin, and stand-ins for the terminal and Ctrl-C.
 *
 * @module
 */

import type { ReferenceServer } from "../_helpers/reference_server.ts";
import { main } from "../../cli/mod.ts";
import type { TestTenant } from "../e2e/_helpers.ts";

/** What a run of the CLI printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Stand-ins for what a person at a terminal does. */
export interface CliRunOptions {
  /** What stdin holds. */
  stdin?: string;
  /** Whether stderr counts as a terminal. */
  isTerminal?: boolean;
  /** Answers a visible question, as a person at a terminal would. */
  ask?: (question: string) => string | null;
  /** Ctrl-C. */
  signal?: AbortSignal;
  /** Sees stderr as it is written. */
  onStderr?: (text: string) => void;
}

/** Runs `runplane <args>` in-process. */
export async function cli(
  args: string[],
  env: Record<string, string>,
  options: CliRunOptions = {},
): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => {
      stderr += text;
      options.onStderr?.(text);
    },
    readStdin: () => Promise.resolve(options.stdin ?? ""),
    isTerminal: options.isTerminal ?? false,
    ask: options.ask,
    signal: options.signal,
    env,
  });
  return { code, stdout, stderr };
}

/** Runs `fn` with a fresh home folder (for `RUNPLANE_HOME`), removed after. */
export async function withHome(
  fn: (home: string) => Promise<void>,
): Promise<void> {
  const home = await Deno.makeTempDir();
  try {
    await fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

/** A new tenant-scoped API token of the tenant's user. */
export async function tenantToken(
  server: ReferenceServer,
  tenant: TestTenant,
  name = "cli",
): Promise<string> {
  const { token } = await server.admin.apiTokens.create({
    name,
    scope: "tenant",
    username: tenant.username,
    tenant: tenant.slug,
  });
  return token;
}

/** The environment of the tenant's user logged in by password, in its tenant. */
export function passwordEnv(
  server: ReferenceServer,
  tenant: TestTenant,
): Record<string, string> {
  return {
    RUNPLANE_ENDPOINT: server.url.href,
    RUNPLANE_TENANT: tenant.slug,
    RUNPLANE_USERNAME: tenant.username,
    RUNPLANE_PASSWORD: tenant.password,
  };
}
