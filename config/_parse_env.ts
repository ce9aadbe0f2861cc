/**
 * {@linkcode parseEnv}: the text of a `.env` file as variables, by the rules
 * of Node's `util.parseEnv()` (which Deno's `node:util` follows), without
 * importing `node:util`: that import starts part of Deno's Node
 * compatibility layer, which cost about 9 ms of CPU in every cold start of
 * the client. `tests/config/parse_env_test.ts` checks this parser against
 * `node:util` on generated files.
 *
 * The rules: `\r` is dropped; blank lines, lines starting with `#` and lines
 * without `=` are skipped; the key is trimmed and loses an `export ` prefix;
 * a value in `"`, `'` or `` ` `` quotes runs to the closing quote (across
 * lines, or to the last quote of the closing line when that line ends
 * with one and no comment follows the first), and `\n` in
 * double quotes becomes a newline; an unclosed quote
 * keeps the rest of the line as it is; any other value ends at the line's
 * end or its first `#`, and is trimmed.
 *
 * @module
 */

const SPACE = /^[ \t\n\r]+|[ \t\n\r]+$/g;

function trim(text: string): string {
  return text.replace(SPACE, "");
}

/** The first index of `char` in `text` from `from`, or the length of `text`. */
function find(text: string, char: string, from = 0): number {
  const index = text.indexOf(char, from);
  return index < 0 ? text.length : index;
}

/**
 * Where a quoted value ends: at its first closing quote, unless a comment
 * follows that one, or the same line holds a later quote followed by nothing
 * but a comment; then at the last such quote.
 */
function closingQuote(content: string, quote: string, first: number): number {
  const rest = content.slice(first + 1, find(content, "\n", first + 1));
  if (isComment(rest)) return first;
  const last = rest.lastIndexOf(quote);
  return last >= 0 && isComment(rest.slice(last + 1))
    ? first + 1 + last
    : first;
}

/** Whether the rest of a line is blank or a comment. */
function isComment(rest: string): boolean {
  const text = trim(rest);
  return text === "" || text[0] === "#";
}

/**
 * Parses the text of a `.env` file.
 *
 * @param input The file's text.
 * @returns The variables, by name; a later line wins.
 */
export function parseEnv(input: string): Record<string, string> {
  const env: Record<string, string> = {};
  let content = trim(input.replaceAll("\r", ""));
  while (content !== "") {
    if (content[0] === "\n" || content[0] === "#") {
      content = content.slice(find(content, "\n") + 1);
      continue;
    }
    const equal = content.indexOf("=");
    const newline = content.indexOf("\n");
    if (equal < 0 || (newline >= 0 && newline < equal)) {
      // A line without `=` is skipped.
      if (newline < 0) break;
      content = trim(content.slice(newline + 1));
      continue;
    }
    let key = trim(content.slice(0, equal));
    content = content.slice(equal + 1);
    if (content === "" || content[0] === "\n") {
      env[key] = "";
      continue;
    }
    content = trim(content);
    // Without a key, what follows `=` is read as the next line.
    if (key === "") continue;
    if (key.startsWith("export ")) key = trim(key.slice(7));
    const quote = content[0];
    if (quote === '"' || quote === "'" || quote === "`") {
      const closing = content.indexOf(quote, 1);
      if (closing < 0) {
        // An unclosed quote: the line is the value, quote and all.
        const end = find(content, "\n");
        env[key] = content.slice(0, end);
        content = trim(content.slice(end));
        continue;
      }
      const value = content.slice(1, closingQuote(content, quote, closing));
      env[key] = quote === '"' ? value.replaceAll("\\n", "\n") : value;
      content = trim(content.slice(find(content, "\n", closing + 1) + 1));
      continue;
    }
    const end = find(content, "\n");
    const line = content.slice(0, end);
    env[key] = trim(line.slice(0, find(line, "#")));
    content = trim(content.slice(end + 1));
  }
  return env;
}
