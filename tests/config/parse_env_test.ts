import assert from "node:assert/strict";
import { parseEnv as nodeParseEnv } from "node:util";
import fc from "fast-check";
import { parseEnv } from "../../config/_parse_env.ts";

// Pieces that exercise every rule: quotes of each kind, opened and closed,
// comments, `export`, `=` in values, blank and key-less lines, CRLF, spaces.
const PIECES = [
  "A",
  "KEY_1",
  "export ",
  "export",
  "=",
  " ",
  "\t",
  "\n",
  "\r\n",
  "#",
  " # note",
  '"',
  "'",
  "`",
  "\\n",
  "value",
  "two words",
  "x=y",
  "é",
  "\f",
  "\v",
  "\u00a0",
];

Deno.test("parseEnv() reads .env files as node:util parseEnv() does", () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }),
      (pieces) => {
        const text = pieces.join("");
        assert.deepEqual(parseEnv(text), { ...nodeParseEnv(text) }, text);
      },
    ),
    { numRuns: 20_000 },
  );
});

Deno.test("parseEnv() reads the forms a .env file uses", () => {
  const text = [
    "# a comment",
    "",
    "RUNPLANE_ENDPOINT=http://127.0.0.1:4200 # the local server",
    " export RUNPLANE_TENANT = acme ",
    'RUNPLANE_TOKEN="rp_ab#c"',
    "MULTI='one",
    "two'",
    'ESCAPED="a\\nb"',
    "not a variable",
    "EMPTY=",
  ].join("\r\n");
  assert.deepEqual(parseEnv(text), {
    RUNPLANE_ENDPOINT: "http://127.0.0.1:4200",
    RUNPLANE_TENANT: "acme",
    RUNPLANE_TOKEN: "rp_ab#c",
    MULTI: "one\ntwo",
    ESCAPED: "a\nb",
    EMPTY: "",
  });
});
