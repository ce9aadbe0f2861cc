/**
 * Headless Chromium for the web view's browser tests, driven by
 * playwright-core: where the browser is, whether it is installed, how to
 * start it, and what a page looks like from inside.
 *
 * @module
 */

import fs from "node:fs";
import type { BrowserContext, Page } from "playwright-core";

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
