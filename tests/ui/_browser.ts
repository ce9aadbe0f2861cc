/**
 * Headless Chromium for the web view's browser tests, driven by
 * playwright-core: where the browser is, whether it is installed, how to
 * start it, and what a page looks like from inside.
 *
 * @module
 */

import fs from "node:fs";
import type { BrowserContext, Page } from "playwright-core";
import { Client } from "../../client/client.ts";
import { Credentials } from "../../auth/credentials.ts";
import { PASSWORD } from "../_helpers/seed.ts";

export const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A desktop's and a phone's viewport. */
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** Whether Chromium is installed; when not, the browser tests are skipped with a note. */
export const chromiumExists: boolean = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();

/** Prints why a browser test is skipped, once per file that asks. */
export function warnWithoutChromium(what: string): void {
  if (chromiumExists) return;
  // deno-lint-ignore no-console
  console.warn(`Skipping ${what}: ${CHROMIUM} is not installed`);
}

/**
 * Loads playwright-core. At load time it probes `/proc/sys/fs/binfmt_misc`
 * for WSL with `fs.existsSync`, which Deno refuses without `--allow-all`
 * (it throws `NotCapable` instead of answering `false`). For that one import,
 * such a refusal answers `false`, as Node would for a path it cannot see.
 */
async function loadChromium() {
  const existsSync = fs.existsSync;
  fs.existsSync = (path) => {
    try {
      return existsSync(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotCapable) return false;
      throw error;
    }
  };
  try {
    return (await import("playwright-core")).chromium;
  } finally {
    fs.existsSync = existsSync;
  }
}

/** Starts headless Chromium with a fresh profile in `folder`, at a desktop's width. */
export async function launchBrowser(folder: string): Promise<BrowserContext> {
  const chromium = await loadChromium();
  return await chromium.launchPersistentContext(`${folder}/profile`, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: DESKTOP,
  });
}

/** How many pixels the page is wider than its viewport (0 or less: it fits). */
export function horizontalOverflow(page: Page): Promise<number> {
  // Runs in the page; Deno's type library has no DOM, hence the cast.
  return page.evaluate(() => {
    const root = (globalThis as unknown as {
      document: {
        documentElement: { scrollWidth: number; clientWidth: number };
      };
    }).document.documentElement;
    return root.scrollWidth - root.clientWidth;
  });
}

/** Typed clients of one test server, closed together. */
export class TypedClients {
  #server: { url: URL };
  #made: Client[] = [];

  constructor(server: { url: URL }) {
    this.#server = server;
  }

  /** A client with a bearer token, in `tenant` when given; no retries. */
  client(token: string, tenant?: string): Client {
    const made = new Client({
      credentials: new Credentials({ token }),
      config: {
        endpoints: this.#server.url.href,
        tenant,
        envFile: false,
        env: {},
        maxRetries: 0,
      },
    });
    this.#made.push(made);
    return made;
  }

  /**
   * Makes `username` (password {@linkcode PASSWORD}) a member of `tenant`
   * through the admin's client, and returns a client with the member's
   * tenant token.
   */
  async member(admin: Client, tenant: string, username: string) {
    await admin.users.create({
      username,
      password: PASSWORD,
      tenant,
      role: "member",
    });
    const { token } = await admin.apiTokens.create({
      name: username,
      scope: "tenant",
      username,
      tenant,
    });
    return this.client(token, tenant);
  }

  /**
   * Creates a run of `flowId` named `runName` and moves it `PENDING`, then
   * `RUNNING` (picked up by "agent-7"); answers its id and version.
   */
  async startRun(
    writer: Client,
    flowId: string,
    runName: string,
  ): Promise<{ id: string; version: number }> {
    const run = await writer.flowRuns.create({
      flowId,
      runName,
      parameters: { day: "2026-01-02", epochs: 12, features: ["a", "b"] },
    });
    const pending = await writer.flowRuns.setState(run.id, {
      version: run.version,
      state: "PENDING",
    });
    const running = await writer.flowRuns.setState(run.id, {
      version: pending.version,
      state: { type: "RUNNING", message: "Picked up by agent-7" },
    });
    return { id: run.id, version: running.version };
  }

  /** Closes every client made here. */
  async close(): Promise<void> {
    await Promise.allSettled(this.#made.map((made) => made.close()));
  }
}
