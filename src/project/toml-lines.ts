/**
 * `TomlLines`: where each table header and key assignment of a TOML text is, by key path.
 * smol-toml gives no positions, so this scans the text itself: best effort, for error messages only.
 *
 * @since 0.1.0
 */
import { formatPath } from "../config/param.js"

/** One step of a key path: a key, or an index into an array of tables. */
export type Segment = string | number

/** The 1-based line of each key path (`sources[1].params.port`) that starts on a line of its own. */
export interface TomlLines {
  readonly lines: ReadonlyMap<string, number>
}

const keyOf = (segments: ReadonlyArray<Segment>): string => formatPath(undefined, segments) ?? ""

/** Reads a dotted key (`a."b c".d`) from `line` at `start`; returns its parts and where it ends, or `undefined`. */
const readKey = (line: string, start: number): { readonly parts: Array<string>; readonly end: number } | undefined => {
  const parts: Array<string> = []
  let i = start
  for (;;) {
    while (line[i] === " " || line[i] === "\t") i++
    const c = line[i]
    if (c === "\"" || c === "'") {
      let j = i + 1
      let text = ""
      while (j < line.length && line[j] !== c) {
        if (c === "\"" && line[j] === "\\" && j + 1 < line.length) {
          text += line[j + 1]
          j += 2
        } else text += line[j++]
      }
      if (j >= line.length) return undefined
      parts.push(text)
      i = j + 1
    } else {
      const m = /^[A-Za-z0-9_-]+/.exec(line.slice(i))
      if (m === null) return undefined
      parts.push(m[0])
      i += m[0].length
    }
    while (line[i] === " " || line[i] === "\t") i++
    if (line[i] !== ".") return { parts, end: i }
    i++
  }
}

/** Lexical state carried from one line to the next: an open multi-line string and the depth of open brackets. */
interface State {
  multiline: "\"\"\"" | "'''" | undefined
  depth: number
}

/** Advances `state` over the value text `text` (strings, comments, brackets). */
const scanValue = (text: string, state: State): void => {
  let i = 0
  while (i < text.length) {
    if (state.multiline !== undefined) {
      const close = text.indexOf(state.multiline, i)
      if (close < 0) return
      i = close + 3
      state.multiline = undefined
      continue
    }
    const c = text[i]!
    if (c === "#") return
    if (text.startsWith("\"\"\"", i) || text.startsWith("'''", i)) {
      state.multiline = text.startsWith("\"\"\"", i) ? "\"\"\"" : "'''"
      i += 3
      continue
    }
    if (c === "\"" || c === "'") {
      i++
      while (i < text.length && text[i] !== c) i += c === "\"" && text[i] === "\\" ? 2 : 1
      i++
      continue
    }
    if (c === "[" || c === "{") state.depth++
    else if ((c === "]" || c === "}") && state.depth > 0) state.depth--
    i++
  }
}

/** Scans `text` for table headers (`[a]`, `[[a.b]]`, counting array entries) and key assignments. */
export const scan = (text: string): TomlLines => {
  const lines = new Map<string, number>()
  const arrays = new Map<string, number>()
  const record = (segments: ReadonlyArray<Segment>, line: number) => {
    const key = keyOf(segments)
    if (!lines.has(key)) lines.set(key, line)
  }
  /** Resolves header names to a path, inserting the current index after each array of tables. */
  const resolve = (names: ReadonlyArray<string>): Array<Segment> => {
    const out: Array<Segment> = []
    for (const name of names) {
      out.push(name)
      const index = arrays.get(keyOf(out))
      if (index !== undefined) out.push(index)
    }
    return out
  }
  const state: State = { multiline: undefined, depth: 0 }
  let table: Array<Segment> = []
  const all = text.split("\n")
  for (let n = 0; n < all.length; n++) {
    const raw = all[n]!
    if (state.multiline !== undefined || state.depth > 0) {
      scanValue(raw, state)
      continue
    }
    const line = raw.trimStart()
    const offset = raw.length - line.length
    if (line.startsWith("[[")) {
      const key = readKey(raw, offset + 2)
      if (key === undefined || !raw.startsWith("]]", key.end)) continue
      const parent = resolve(key.parts.slice(0, -1))
      const array = [...parent, key.parts[key.parts.length - 1]!]
      const index = (arrays.get(keyOf(array)) ?? -1) + 1
      arrays.set(keyOf(array), index)
      record(array, n + 1)
      table = [...array, index]
      record(table, n + 1)
    } else if (line.startsWith("[")) {
      const key = readKey(raw, offset + 1)
      if (key === undefined || raw[key.end] !== "]") continue
      table = resolve(key.parts)
      record(table, n + 1)
    } else {
      const key = readKey(raw, offset)
      if (key === undefined || raw[key.end] !== "=") continue
      for (let k = 1; k <= key.parts.length; k++) record([...table, ...key.parts.slice(0, k)], n + 1)
      scanValue(raw.slice(key.end + 1), state)
    }
  }
  return { lines }
}

/** The line of `segments`, or of the nearest enclosing path that has one (a key inside an inline table). */
export const lineOf = (self: TomlLines, segments: ReadonlyArray<Segment>): number | undefined => {
  for (let n = segments.length; n > 0; n--) {
    const line = self.lines.get(keyOf(segments.slice(0, n)))
    if (line !== undefined) return line
  }
  return undefined
}

/** Splits a rendered key path (`sources[0].params["a b"]`, as `formatPath` writes it) back into segments. */
export const parsePath = (path: string): Array<Segment> => {
  const out: Array<Segment> = []
  const re = /\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([^.[\]]+)/g
  for (const m of path.matchAll(re)) {
    if (m[1] !== undefined) out.push(Number(m[1]))
    else if (m[2] !== undefined) out.push(JSON.parse(m[2]) as string)
    else if (m[3] !== undefined) out.push(m[3])
  }
  return out
}
