/**
 * `TomlSyntax`: clearer words for the TOML parser's syntax errors. The parser reports a string that a
 * line ends in as "control characters are not allowed in strings" (the newline is one), and one that
 * the file ends in as "unfinished string"; both become an unterminated string, placed at its opening
 * quote.
 *
 * @since 0.1.0
 */
import { ConfigError } from "../errors/config.js"

/** The parser's words for a newline inside a single-line string. */
const controlCharacter = "control characters are not allowed in strings"

/** The parser's words for a string still open at the end of the file. */
const unfinished = "unfinished string"

/** Where a single-line string that `line` ends in opens (0-based index) and its quote; `undefined` when none does. */
export const openString = (line: string): { readonly index: number; readonly quote: "\"" | "'" } | undefined => {
  let i = 0
  while (i < line.length) {
    const c = line[i]!
    if (c === "#") return undefined
    if (line.startsWith("\"\"\"", i) || line.startsWith("'''", i)) {
      const close = line.indexOf(line.slice(i, i + 3), i + 3)
      if (close < 0) return undefined
      i = close + 3
    } else if (c === "\"" || c === "'") {
      let j = i + 1
      while (j < line.length && line[j] !== c) j += c === "\"" && line[j] === "\\" ? 2 : 1
      if (j >= line.length) return { index: i, quote: c }
      i = j + 1
    } else i += 1
  }
  return undefined
}

/** `error` (a syntax error of `text`) in clearer words when it is an unterminated string; otherwise `error` itself. */
export const explain = (text: string, error: ConfigError): ConfigError => {
  if (error.line === undefined || error.column === undefined) return error
  const line = text.split("\n")[error.line - 1]
  if (line === undefined) return error
  const at = line.slice(error.column - 1)
  if (error.detail === controlCharacter && (at === "" || at === "\r")) {
    const open = openString(line.replace(/\r$/, ""))
    return new ConfigError({
      ...error.fields,
      detail: `unterminated string: the line ends before its closing ${open?.quote ?? "quote"}`,
      ...(open === undefined ? {} : { column: open.index + 1 }),
      expected: "a closing quote on the same line (a string over several lines is written between \"\"\" or ''')"
    })
  }
  if (error.detail === unfinished) {
    const quote = at.startsWith("\"\"\"") ? "\"\"\"" : at.startsWith("'''") ? "'''" : at.startsWith("'") ? "'" : "\""
    return new ConfigError({
      ...error.fields,
      detail: `unterminated ${quote.length === 3 ? "multi-line " : ""}string: the file ends before its closing ${quote}`,
      expected: `a closing ${quote}`
    })
  }
  return error
}
