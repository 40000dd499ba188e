/**
 * `ExpectedValue`: a record field's value as a pipeline test (`tests/*.toml`, see `PipelineTest`) writes
 * it, and its comparison with the `Value` a processor made. The TOML type says the kind: a string is
 * `Chars`, an integer a `Digit`, a float a `Float` (`200.0`, `nan`, `inf`), a boolean a `Bool`, an offset
 * date-time a `Time` (the same instant), an array an `Array`, a table an `Obj` (the same keys, in any
 * order). The kinds TOML has no literal for are one-key tables: `{ ip = "203.0.113.7" }` (an `IpAddr`),
 * `{ time = "2024-10-10T13:55:36.000Z" }` (a `Time` of exactly this text), `{ null = true }`, and
 * `{ obj = { ip = "x" } }` for an object whose only key is one of those four names.
 *
 * @since 0.2.0
 */
import { Either } from "effect"
import { isIP } from "node:net"
import { TomlDate } from "smol-toml"
import * as ParamMap from "../config/param.js"
import * as DataRecord from "../model/record.js"
import type { Segment } from "./toml-lines.js"
import type { EntryProblem } from "./topology.js"

/** A value a test expects: the `Value` kinds, and `Instant` (a TOML date-time: a `Time` of the same instant). */
export type ExpectedValue =
  | { readonly _tag: "Null" }
  | { readonly _tag: "Bool"; readonly value: boolean }
  | { readonly _tag: "Chars"; readonly value: string }
  | { readonly _tag: "Digit"; readonly value: bigint }
  | { readonly _tag: "Float"; readonly value: number }
  | { readonly _tag: "Instant"; readonly millis: number; readonly text: string }
  | { readonly _tag: "Time"; readonly value: string }
  | { readonly _tag: "IpAddr"; readonly value: string }
  | { readonly _tag: "Obj"; readonly value: ReadonlyArray<readonly [string, ExpectedValue]> }
  | { readonly _tag: "Array"; readonly value: ReadonlyArray<ExpectedValue> }

/** One way an actual value differs from the expected one: where (`record.a.b[1]`), both sides shown, and a hint. */
export interface Difference {
  readonly at: string
  readonly expected: string
  readonly actual: string
  readonly hint?: string | undefined
}

/** The names of the one-key tables that stand for a kind TOML has no literal for. */
const typedKeys = ["ip", "time", "null", "obj"] as const

const isTable = (u: unknown): u is { readonly [key: string]: unknown } =>
  typeof u === "object" && u !== null && !Array.isArray(u) && !(u instanceof Date)

const bad = (segments: ReadonlyArray<Segment>, detail: string, expected: string, suggestion?: string): Either.Either<never, ReadonlyArray<EntryProblem>> =>
  Either.left([{ segments, detail, expected, suggestion }])

const describeRaw = (u: unknown): string =>
  typeof u === "string" ? JSON.stringify(u) : typeof u === "bigint" ? `${u}` : Array.isArray(u) ? "an array" : isTable(u) ? "a table" : String(u)

/** The value of a one-key typed table (`{ ip = "..." }`), its key being `key`. */
const typed = (key: (typeof typedKeys)[number], u: unknown, segments: ReadonlyArray<Segment>): Either.Either<ExpectedValue, ReadonlyArray<EntryProblem>> => {
  const at = [...segments, key]
  switch (key) {
    case "ip":
      return typeof u === "string" && isIP(u) !== 0
        ? Either.right({ _tag: "IpAddr", value: u })
        : bad(at, `invalid value ${describeRaw(u)}`, "an IPv4 or IPv6 address as a string: { ip = \"203.0.113.7\" }")
    case "time":
      return typeof u === "string"
        ? Either.right({ _tag: "Time", value: u })
        : bad(at, `invalid value ${describeRaw(u)}`, "the time's exact text as a string: { time = \"2024-10-10T13:55:36.000Z\" }", "to compare instants, write a TOML date-time: 2024-10-10T13:55:36Z")
    case "null":
      return u === true ? Either.right({ _tag: "Null" }) : bad(at, `invalid value ${describeRaw(u)}`, "{ null = true }")
    case "obj":
      return isTable(u) ? object(u, at) : bad(at, `invalid value ${describeRaw(u)}`, "a table: { obj = { ip = \"...\" } }")
  }
}

/** The entries of a table, each decoded; every problem reported. */
const object = (u: { readonly [key: string]: unknown }, segments: ReadonlyArray<Segment>): Either.Either<ExpectedValue, ReadonlyArray<EntryProblem>> => {
  const problems: Array<EntryProblem> = []
  const entries: Array<readonly [string, ExpectedValue]> = []
  for (const [key, value] of Object.entries(u)) {
    const item = decode(value, [...segments, key])
    if (Either.isLeft(item)) problems.push(...item.left)
    else entries.push([key, item.right])
  }
  return problems.length > 0 ? Either.left(problems) : Either.right({ _tag: "Obj", value: entries })
}

/**
 * Decodes a value of a test file, as smol-toml parses it with `integersAsBigInt` (so an integer, a
 * `bigint`, is told from a float, a `number`). A date-time without an offset, a date or a time alone,
 * and a typed table with a bad value are problems at their key (`segments`).
 */
export const decode = (u: unknown, segments: ReadonlyArray<Segment>): Either.Either<ExpectedValue, ReadonlyArray<EntryProblem>> => {
  switch (typeof u) {
    case "string":
      return Either.right({ _tag: "Chars", value: u })
    case "bigint":
      return Either.right({ _tag: "Digit", value: u })
    case "number":
      return Either.right({ _tag: "Float", value: u })
    case "boolean":
      return Either.right({ _tag: "Bool", value: u })
  }
  if (u instanceof TomlDate) {
    return u.isDateTime() && !u.isLocal()
      ? Either.right({ _tag: "Instant", millis: u.getTime(), text: u.toISOString() })
      : bad(segments, `${u.toISOString()} has no time zone offset`, "an offset date-time, e.g. 2024-10-10T13:55:36Z (a Time of the same instant)", "add Z or an offset such as +02:00, or write { time = \"...\" } for an exact text")
  }
  if (Array.isArray(u)) {
    const problems: Array<EntryProblem> = []
    const values: Array<ExpectedValue> = []
    for (const [i, item] of u.entries()) {
      const value = decode(item, [...segments, i])
      if (Either.isLeft(value)) problems.push(...value.left)
      else values.push(value.right)
    }
    return problems.length > 0 ? Either.left(problems) : Either.right({ _tag: "Array", value: values })
  }
  if (isTable(u)) {
    const keys = Object.keys(u)
    const only = keys.length === 1 ? typedKeys.find((k) => k === keys[0]) : undefined
    return only === undefined ? object(u, segments) : typed(only, u[only], segments)
  }
  return bad(segments, `invalid value ${describeRaw(u)}`, "a TOML value")
}

const floatText = (n: number): string =>
  Number.isNaN(n) ? "nan" : !Number.isFinite(n) ? (n > 0 ? "inf" : "-inf") : Number.isInteger(n) ? `${n}.0` : `${n}`

/** A value's text without its kind: strings quoted, objects and arrays as compact JSON-like text. */
const expectedText = (e: ExpectedValue): string => {
  switch (e._tag) {
    case "Null":
      return "null"
    case "Bool":
      return String(e.value)
    case "Chars":
      return JSON.stringify(e.value)
    case "Digit":
      return `${e.value}`
    case "Float":
      return floatText(e.value)
    case "Instant":
      return e.text
    case "Time":
    case "IpAddr":
      return e.value
    case "Obj":
      return `{${e.value.map(([k, v]) => `${JSON.stringify(k)}:${expectedText(v)}`).join(",")}}`
    case "Array":
      return `[${e.value.map(expectedText).join(",")}]`
  }
}

const kinds: { readonly [K in ExpectedValue["_tag"]]: DataRecord.ValueKind } = {
  Null: "null",
  Bool: "bool",
  Chars: "chars",
  Digit: "digit",
  Float: "float",
  Instant: "time",
  Time: "time",
  IpAddr: "ip",
  Obj: "obj",
  Array: "array"
}

/** An expected value as a diff shows it: `200 (digit)`, `"200" (chars)`, `203.0.113.7 (ip)`. */
export const show = (e: ExpectedValue): string => (e._tag === "Null" ? "null" : `${expectedText(e)} (${kinds[e._tag]})`)

const actualText = (v: DataRecord.Value): string => {
  switch (v._tag) {
    case "Chars":
      return JSON.stringify(v.value)
    case "Float":
      return floatText(v.value)
    case "Obj":
      return `{${Array.from(v.value, ([k, x]) => `${JSON.stringify(k)}:${actualText(x)}`).join(",")}}`
    case "Array":
      return `[${v.value.map(actualText).join(",")}]`
    default:
      return DataRecord.text(v)
  }
}

/** An actual value as a diff shows it: `200 (digit)`, `"200" (chars)`, `null`. */
export const showActual = (v: DataRecord.Value): string => (v._tag === "Null" ? "null" : `${actualText(v)} (${DataRecord.kindOf(v)})`)

/** A hint for the usual kind mix-ups (a string for an address or a time, an integer for a float): how the actual value is written. */
const hintFor = (e: ExpectedValue, v: DataRecord.Value): string | undefined => {
  if (e._tag === "Chars" && v._tag === "IpAddr") return `an ip is written { ip = ${JSON.stringify(v.value)} }`
  if (e._tag === "Chars" && v._tag === "Time") return `a time is written as a TOML date-time (2024-10-10T13:55:36Z) or { time = ${JSON.stringify(v.value)} }`
  if (e._tag === "Digit" && v._tag === "Float") return `a float is written with a point: ${floatText(v.value)}`
  if (e._tag === "Float" && v._tag === "Digit") return `an integer is written without a point: ${v.value}`
  if (e._tag === "Chars" && v._tag === "Digit") return `an integer is written without quotes: ${v.value}`
  return undefined
}

const sameFloat = (a: number, b: number): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b))

/** Where `key` of the object at `at` is (`record.a`, `record["a b"]`). */
const child = (at: string, key: Segment): string => ParamMap.formatPath(at, [key]) ?? at

/**
 * Compares `actual` with `expected` at `at`, adding each difference to `out`: a kind or value mismatch,
 * and for objects and arrays, per key and element (a missing key, an extra key, another length).
 */
export const compare = (expected: ExpectedValue, actual: DataRecord.Value, at: string, out: Array<Difference>): void => {
  const mismatch = () => void out.push({ at, expected: show(expected), actual: showActual(actual), hint: hintFor(expected, actual) })
  switch (expected._tag) {
    case "Null":
      return actual._tag === "Null" ? undefined : mismatch()
    case "Bool":
    case "Chars":
    case "Time":
    case "IpAddr":
      return actual._tag === expected._tag && actual.value === expected.value ? undefined : mismatch()
    case "Digit":
      return actual._tag === "Digit" && actual.value === expected.value ? undefined : mismatch()
    case "Float":
      return actual._tag === "Float" && sameFloat(actual.value, expected.value) ? undefined : mismatch()
    case "Instant":
      return actual._tag === "Time" && Date.parse(actual.value) === expected.millis ? undefined : mismatch()
    case "Array": {
      if (actual._tag !== "Array" || actual.value.length !== expected.value.length) return mismatch()
      expected.value.forEach((e, i) => compare(e, actual.value[i]!, child(at, i), out))
      return
    }
    case "Obj": {
      if (actual._tag !== "Obj") return mismatch()
      compareEntries(expected.value, Array.from(actual.value), at, true, out)
    }
  }
}

/**
 * Compares named values (a record's fields, an object's entries): each expected name must be there with
 * its value; with `exact`, a name that is not expected is a difference too (a repeated name as well).
 */
export const compareEntries = (
  expected: ReadonlyArray<readonly [string, ExpectedValue]>,
  actual: ReadonlyArray<readonly [string, DataRecord.Value]>,
  at: string,
  exact: boolean,
  out: Array<Difference>
): void => {
  const first = new Map<string, DataRecord.Value>()
  const extra: Array<readonly [string, DataRecord.Value]> = []
  for (const [name, value] of actual) {
    if (!first.has(name)) first.set(name, value)
    else extra.push([name, value])
  }
  const wanted = new Set(expected.map(([name]) => name))
  for (const [name, e] of expected) {
    const value = first.get(name)
    if (value === undefined) out.push({ at: child(at, name), expected: show(e), actual: "(no such field)" })
    else compare(e, value, child(at, name), out)
  }
  if (!exact) return
  for (const [name, value] of first) {
    if (!wanted.has(name)) out.push({ at: child(at, name), expected: "(no such field)", actual: showActual(value) })
  }
  for (const [name, value] of extra) out.push({ at: child(at, name), expected: "(the name once)", actual: `repeated: ${showActual(value)}` })
}
