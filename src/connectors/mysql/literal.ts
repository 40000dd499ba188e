/**
 * `MysqlLiteral`: a row of parameters as the `VALUES` tuple `mysql2` would send for it (`(1, 'a\'b', NULL)`),
 * so that the sink can write records encoded ahead as text: strings quoted with backslash escapes as the
 * client's `escape` does (the server's default `sql_mode`, without `NO_BACKSLASH_ESCAPES`), bytes as
 * `X'…'`, numbers and bigints as their decimal text.
 *
 * @since 0.2.0
 */
import type { SqlParam } from "../sql/sql-param.js"

/** The characters a quoted string escapes, and their escapes. */
const specials = /[\0\b\t\n\r\x1a"'\\]/g

const escapes: { readonly [c: string]: string } = {
  "\0": "\\0",
  "\b": "\\b",
  "\t": "\\t",
  "\n": "\\n",
  "\r": "\\r",
  "\x1a": "\\Z",
  "\"": "\\\"",
  "'": "\\'",
  "\\": "\\\\"
}

/** A string as a quoted SQL literal. */
const quoted = (text: string): string => {
  specials.lastIndex = 0
  return specials.test(text) ? `'${text.replace(specials, (c) => escapes[c]!)}'` : `'${text}'`
}

/** One parameter as SQL literal text. */
export const literal = (value: SqlParam): string => {
  if (value === null) return "NULL"
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false"
    case "number":
    case "bigint":
      return String(value)
    case "string":
      return quoted(value)
    default:
      return `X'${value.toString("hex")}'`
  }
}

/** A row as a `VALUES` tuple. */
export const tuple = (row: ReadonlyArray<SqlParam>): string => {
  let text = "("
  for (let i = 0; i < row.length; i++) text += i === 0 ? literal(row[i]!) : `, ${literal(row[i]!)}`
  return `${text})`
}
