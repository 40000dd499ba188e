/**
 * `Glob`: a path pattern of the `file` source — `*` (every run of characters but `/`), `?` (one of them), `[...]`
 * (a class, `[!...]` negated), `{a,b}` (either) and `**` (zero or more whole directories) — compiled to
 * a regular expression over absolute paths, with the directory a scan starts at (the pattern's part
 * before its first glob character) and how deep the scan goes.
 *
 * @since 0.1.0
 */
import * as path from "node:path"

/** A compiled pattern. */
export interface Glob {
  /** The pattern as written, made absolute. */
  readonly pattern: string
  /** Matches the absolute paths the pattern names. */
  readonly regex: RegExp
  /** The directory the pattern's matches are under (its literal leading directories). */
  readonly root: string
  /** How many directory levels below `root` a match may be (`Infinity` with `**`). */
  readonly depth: number
}

const special = /[*?[{]/

/** Compiles `pattern` (relative to `base` unless absolute). A literal path is a glob matching only itself. */
export const compile = (pattern: string, base: string): Glob => {
  const absolute = path.resolve(base, pattern)
  const segments = absolute.split("/")
  const firstGlob = segments.findIndex((s) => special.test(s))
  const rootSegments = firstGlob < 0 ? segments.slice(0, -1) : segments.slice(0, firstGlob)
  const root = rootSegments.join("/") || "/"
  const rest = segments.slice(rootSegments.length)
  const depth = rest.includes("**") ? Number.POSITIVE_INFINITY : rest.length - 1
  return { pattern: absolute, regex: new RegExp(`^${toRegex(absolute)}$`), root, depth }
}

/** `true` when `file` (absolute) is matched by `glob`. */
export const matches = (glob: Glob, file: string): boolean => glob.regex.test(file)

/** The regular expression source of `pattern`. */
const toRegex = (pattern: string): string => {
  let out = ""
  let braces = 0
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        // `/**/` is zero or more whole directories; a trailing `/**` everything below
        const slashAfter = pattern[i + 2] === "/"
        out += slashAfter ? "(?:[^/]*/)*" : ".*"
        i += slashAfter ? 2 : 1
      } else {
        out += "[^/]*"
      }
    } else if (c === "?") {
      out += "[^/]"
    } else if (c === "[") {
      const close = pattern.indexOf("]", i + 2)
      if (close < 0) {
        out += "\\["
      } else {
        const body = pattern.slice(i + 1, close)
        const negated = body.startsWith("!") || body.startsWith("^")
        const chars = (negated ? body.slice(1) : body).replace(/[\\\]^]/g, "\\$&")
        out += negated ? `[^/${chars}]` : `[${chars}]`
        i = close
      }
    } else if (c === "{") {
      braces++
      out += "(?:"
    } else if (c === "}" && braces > 0) {
      braces--
      out += ")"
    } else if (c === "," && braces > 0) {
      out += "|"
    } else {
      out += c.replace(/[.+^$()|\\\]}]/g, "\\$&")
    }
  }
  return out
}
