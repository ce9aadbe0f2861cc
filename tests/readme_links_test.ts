/**
 * The README is the package's landing page on JSR: every relative link in it
 * must lead to a file the published package holds.
 *
 * @module
 */

import { deepEqual, ok } from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

/** The files `deno publish --dry-run` would publish, relative to the root. */
async function publishedFiles(): Promise<Set<string>> {
  const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stdout) +
    new TextDecoder().decode(stderr);
  ok(success, `deno publish --dry-run failed: ${text}`);
  const files = new Set<string>();
  for (const [, url] of text.matchAll(/(file:\/\/\S+)/g)) {
    files.add(
      decodeURIComponent(new URL(url).pathname).slice(
        decodeURIComponent(ROOT.pathname).length,
      ),
    );
  }
  return files;
}

/** The relative link targets in Markdown text, without their `#fragment`. */
function relativeLinks(markdown: string): string[] {
  const targets = [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map(([, target]) =>
    target
  );
  return targets
    .filter((target) => !/^([a-z][a-z0-9+.-]*:|#)/i.test(target))
    .map((target) => target.replace(/#.*$/, "").replace(/^\.\//, ""));
}

Deno.test("README.md links only to files the published package holds", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  const links = relativeLinks(readme);
  ok(links.includes("docs/api.md"), "the README links to docs/api.md");
  const published = await publishedFiles();
  ok(published.has("README.md"), [...published].join("\n"));
  deepEqual(links.filter((link) => !published.has(link)), []);
});
