/**
 * Raw payloads as pushed lines: a payload without a record is taken as lines already in the push
 * format (Prometheus text or JSON import lines), each checked here first — VictoriaMetrics answers
 * `204` to a body with a bad line and drops that line silently, so the sink refuses it instead. A
 * Prometheus line without a timestamp gets the push time, so that a repeated push stores the same sample.
 *
 * @since 0.2.0
 */
import type { Format } from "./params.js"

/** VictoriaMetrics' limit on one line of Prometheus text (`-import.maxLineLen` does not apply to it): 256 KiB. */
export const maxPrometheusLineBytes = 256 * 1024

/** What a payload gave: its lines are appended to the output; `nan` counts the lines whose value is NaN (VictoriaMetrics stores none: dropped). */
export interface Collected {
  readonly nan: number
}

/** Why a payload cannot be pushed: the line (1-based) and what is wrong with it. */
export interface BadLine {
  readonly line: number
  readonly detail: string
}

const metricNameAt = /[A-Za-z_:][A-Za-z0-9_:]*/y
const labelNameAt = /[A-Za-z_][A-Za-z0-9_]*/y
const spacesAt = /[ \t]*/y
const valueAt = /([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?Inf|NaN)(?=[ \t]|$)/iy
const timestampAt = /\d+(?=[ \t]*$)/y

/** The end of the match of sticky `re` in `s` at `at`, or -1. */
const matchAt = (re: RegExp, s: string, at: number): number => {
  re.lastIndex = at
  return re.test(s) ? re.lastIndex : -1
}

/** Parses the label set starting after `{` at `at`; its end (after `}`), or what is wrong. */
const labelsEnd = (s: string, start: number): number | string => {
  let at = matchAt(spacesAt, s, start)
  if (s[at] === "}") return at + 1
  for (;;) {
    const nameStart = at
    const nameEnd = matchAt(labelNameAt, s, at)
    if (nameEnd < 0) return `a label name expected at column ${at + 1}`
    at = matchAt(spacesAt, s, nameEnd)
    if (s[at] !== "=") return `"=" expected after label ${s.slice(nameStart, nameEnd)} at column ${at + 1}`
    at = matchAt(spacesAt, s, at + 1)
    if (s[at] !== "\"") return `a quoted label value expected at column ${at + 1}`
    at += 1
    for (;;) {
      const c = s[at]
      if (c === undefined) return "unterminated label value"
      if (c === "\"") break
      if (c === "\\") {
        const next = s[at + 1]
        if (next !== "\\" && next !== "\"" && next !== "n") return `bad escape \\${next ?? ""} in a label value at column ${at + 1} (only \\\\, \\" and \\n)`
        at += 2
      } else at += 1
    }
    at = matchAt(spacesAt, s, at + 1)
    const comma = s[at] === ","
    if (comma) at = matchAt(spacesAt, s, at + 1)
    if (s[at] === "}") return at + 1
    if (s[at] === undefined) return "unterminated label set"
    if (!comma) return `"," or "}" expected at column ${at + 1}`
  }
}

/** Checks one Prometheus text line (not blank, not a comment): what is wrong with it, or whether its value is NaN and whether it carries a timestamp. */
const checkPrometheus = (line: string): { readonly error: string } | { readonly nan: boolean; readonly hasTimestamp: boolean } => {
  if (Buffer.byteLength(line, "utf8") > maxPrometheusLineBytes) return { error: `longer than ${maxPrometheusLineBytes} bytes, VictoriaMetrics' line limit` }
  let at = matchAt(spacesAt, line, 0)
  const nameEnd = matchAt(metricNameAt, line, at)
  if (nameEnd < 0) return { error: "a metric name ([A-Za-z_:][A-Za-z0-9_:]*) expected at the start" }
  at = nameEnd
  const brace = matchAt(spacesAt, line, nameEnd)
  if (line[brace] === "{") {
    const end = labelsEnd(line, brace + 1)
    if (typeof end === "string") return { error: end }
    at = end
  }
  const gap = matchAt(spacesAt, line, at)
  if (gap === at) return { error: `a space and a value expected at column ${at + 1}` }
  const valueEnd = matchAt(valueAt, line, gap)
  if (valueEnd < 0) return { error: `a number, NaN, +Inf or -Inf expected at column ${gap + 1}` }
  const nan = /nan/i.test(line.slice(gap, valueEnd))
  at = matchAt(spacesAt, line, valueEnd)
  if (at === line.length) return { nan, hasTimestamp: false }
  if (at === valueEnd) return { error: `a space expected after the value at column ${at + 1}` }
  const timestampEnd = matchAt(timestampAt, line, at)
  if (timestampEnd < 0) return { error: `an integer timestamp (ms) or the end of the line expected at column ${at + 1}` }
  return { nan, hasTimestamp: true }
}

const isRecord = (u: unknown): u is { readonly [key: string]: unknown } => typeof u === "object" && u !== null && !Array.isArray(u)

/** Checks one JSON import line (JSON has no NaN): `undefined` when it is good, else what is wrong. */
const checkJson = (line: string): string | undefined => {
  let u: unknown
  try {
    u = JSON.parse(line)
  } catch (e) {
    return `not JSON: ${e instanceof Error ? e.message : String(e)}`
  }
  if (!isRecord(u)) return "not a JSON object"
  const metric = u["metric"]
  if (!isRecord(metric)) return "no \"metric\" object"
  if (typeof metric["__name__"] !== "string" || metric["__name__"].length === 0) return "metric.__name__ is not a non-empty string"
  for (const [k, v] of Object.entries(metric)) if (typeof v !== "string") return `metric.${k} is not a string`
  const values = u["values"]
  const timestamps = u["timestamps"]
  if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === "number")) return "\"values\" is not a non-empty array of numbers"
  if (!Array.isArray(timestamps) || !timestamps.every((t) => Number.isSafeInteger(t) && (t as number) >= 0)) {
    return "\"timestamps\" is not an array of integers (ms since the epoch)"
  }
  if (timestamps.length !== values.length) return `${values.length} values but ${timestamps.length} timestamps`
  for (const k of Object.keys(u)) if (k !== "metric" && k !== "values" && k !== "timestamps") return `unknown key ${JSON.stringify(k)}`
  return undefined
}

/**
 * Appends the lines of `payload` (one or more, `\n`-separated; blank lines and, in Prometheus text,
 * `#` comments are left out) to `out` in `format`, a Prometheus line without a timestamp with ` <now>`
 * added; lines whose value is NaN are left out and counted. Returns the first bad line instead (then
 * nothing of the payload is appended).
 */
export const collect = (format: Format, payload: string, now: number, out: Array<string>): Collected | BadLine => {
  const lines = payload.split("\n")
  const start = out.length
  let nan = 0
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw
    const trimmed = line.trim()
    if (trimmed.length === 0 || (format === "prometheus" && trimmed.startsWith("#"))) continue
    if (format === "json") {
      const error = checkJson(line)
      if (error !== undefined) {
        out.length = start
        return { line: i + 1, detail: error }
      }
      out.push(line)
      continue
    }
    const checked = checkPrometheus(line)
    if ("error" in checked) {
      out.length = start
      return { line: i + 1, detail: checked.error }
    }
    if (checked.nan) nan += 1
    else out.push(checked.hasTimestamp ? line : `${line.trimEnd()} ${now}`)
  }
  return { nan }
}

/** `true` when `result` is a bad line. */
export const isBad = (result: Collected | BadLine): result is BadLine => "detail" in result
