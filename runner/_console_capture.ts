// deno-lint-ignore-file no-console
/**
 * `logPrints`: `console.log/info/warn/error/debug` inside a run that asked
 * for it are also shipped as log lines of that run. The console is patched
 * only while such a run is active, and every call still prints as usual.
 * `node:util` (for `format`) is loaded by the first capturing run, not with
 * the client: importing it costs every cold start several milliseconds.
 *
 * @module
 */

import type { LogLevel } from "../api/mod.ts";
import { currentRunScope } from "./_run_scope.ts";
import { logTo } from "./run_logger.ts";

const LEVELS = {
  log: "INFO",
  info: "INFO",
  debug: "DEBUG",
  warn: "WARNING",
  error: "ERROR",
} as const satisfies Record<string, LogLevel>;

type Method = keyof typeof LEVELS;

let format: ((...args: unknown[]) => string) | undefined;
let users = 0;
let originals: Record<Method, (...args: unknown[]) => void> | undefined;
let patched: Record<Method, (...args: unknown[]) => void> | undefined;

/**
 * Starts capturing for one run; resolves to the function that stops it. The
 * console is restored when the last capturing run stops, unless someone
 * replaced a method since (theirs is then left alone).
 */
export async function captureConsole(): Promise<() => void> {
  format ??= (await import("node:util")).format;
  if (users++ === 0) install();
  let released = false;
  return function release() {
    if (released) return;
    released = true;
    if (--users === 0) uninstall();
  };
}

function install(): void {
  originals = {} as NonNullable<typeof originals>;
  patched = {} as NonNullable<typeof patched>;
  for (const method of Object.keys(LEVELS) as Method[]) {
    const original = console[method];
    originals[method] = original;
    patched[method] = function captured(...args: unknown[]) {
      const scope = currentRunScope();
      if (scope?.active.logPrints) {
        logTo(scope, LEVELS[method], format!(...args));
      }
      original.apply(console, args);
    };
    console[method] = patched[method];
  }
}

function uninstall(): void {
  for (const method of Object.keys(LEVELS) as Method[]) {
    if (console[method] === patched![method]) {
      console[method] = originals![method];
    }
  }
  originals = undefined;
  patched = undefined;
}
