/**
 * `DataRecord` (wp-model-core): an ordered list of `DataField`s, each a name, a meta (the value kind)
 * and a `Value`. `Digit` holds a 64-bit signed integer as a `bigint`, so no precision is lost.
 *
 * @since 0.1.0
 */
import { Data, Either, Function, Option } from "effect"
import { isIP } from "node:net"
import { formatPath } from "../config/param.js"
import { ConfigError } from "../errors/config.js"

/** The variants of `Value`. */
export declare namespace Value {
  /** No value. */
  export interface Null {
    readonly _tag: "Null"
  }
  /** A boolean. */
  export interface Bool {
    readonly _tag: "Bool"
    readonly value: boolean
  }
  /** A string. */
  export interface Chars {
    readonly _tag: "Chars"
    readonly value: string
  }
  /** A 64-bit signed integer (always within `digitMin..digitMax`). */
  export interface Digit {
    readonly _tag: "Digit"
    readonly value: bigint
  }
  /** A 64-bit float. */
  export interface Float {
    readonly _tag: "Float"
    readonly value: number
  }
  /** A point in time, as ISO-8601 text. */
  export interface Time {
    readonly _tag: "Time"
    readonly value: string
  }
  /** An IPv4 or IPv6 address, as text. */
  export interface IpAddr {
    readonly _tag: "IpAddr"
    readonly value: string
  }
  /** A nested object: names to values, in insertion order. */
  export interface Obj {
    readonly _tag: "Obj"
    readonly value: ReadonlyMap<string, Value>
  }
  /** A list of values. */
  export interface Array {
    readonly _tag: "Array"
    readonly value: ReadonlyArray<Value>
  }
}

/** A field value: a tagged union (`Null`, `Bool`, `Chars`, `Digit`, `Float`, `Time`, `IpAddr`, `Obj`, `Array`). */
export type Value =
  | Value.Null
  | Value.Bool
  | Value.Chars
  | Value.Digit
  | Value.Float
  | Value.Time
  | Value.IpAddr
  | Value.Obj
  | Value.Array

/** The kind name of a value, used as a field's default `meta`. */
export type ValueKind = "null" | "bool" | "chars" | "digit" | "float" | "time" | "ip" | "obj" | "array"

/** One named value of a record; `meta` is the value kind name unless given. */
export interface DataField {
  readonly name: string
  readonly meta: string
  readonly value: Value
}

/** A structured record: fields in order (names may repeat; lookups take the first). */
export interface DataRecord {
  readonly fields: ReadonlyArray<DataField>
}

const V = Data.taggedEnum<Value>()

/** The prototype `Data` gives the values it makes: structural `Equal` and `Hash`. */
const structural: object = Object.getPrototypeOf(Data.struct({}))

/**
 * A value of the variant `tag` holding `value`: the object `V[tag]({ value })` makes (the same prototype,
 * the own keys `value` then `_tag`), without the enum's Proxy, the constructor it creates on every access
 * and the argument object: parsers make values per field per event.
 */
const tagged = <A extends Exclude<Value, Value.Null>>(tag: A["_tag"], value: A["value"]): A => {
  const made: { value: A["value"]; _tag: A["_tag"] } = Object.create(structural)
  made.value = value
  made._tag = tag
  return made as A
}

/** The smallest `Digit`: -2^63. */
export const digitMin: bigint = -(2n ** 63n)

/** The largest `Digit`: 2^63 - 1. */
export const digitMax: bigint = 2n ** 63n - 1n

/** Pattern-matches a value by tag: `match(value, { Null: () => ..., Digit: ({ value }) => ..., ... })`. */
export const match = V.$match

/** A type guard for one variant: `is("Digit")(u)`. */
export const is = V.$is

/** The `Null` value. */
export const nil: Value.Null = V.Null()

/** A `Bool` value. */
export const bool = (value: boolean): Value.Bool => tagged<Value.Bool>("Bool", value)

/** A `Chars` value. */
export const chars = (value: string): Value.Chars => tagged<Value.Chars>("Chars", value)

/**
 * A `Digit` value, or `None` when `n` is not an integer in the i64 range `digitMin..digitMax`
 * (e.g. `digit(2n ** 63n)`, `digit(1.5)`). Total (always `Some`) for safe integers.
 */
export const digit = (n: bigint | number): Option.Option<Value.Digit> => {
  if (typeof n === "number" && !Number.isInteger(n)) return Option.none()
  const big = typeof n === "bigint" ? n : BigInt(n)
  return big < digitMin || big > digitMax ? Option.none() : Option.some(tagged<Value.Digit>("Digit", big))
}

const decimalInteger = /^[+-]?[0-9]+$/

/** Parses decimal integer text (optional sign, no spaces) into a `Digit`; `None` if malformed or outside i64. */
export const parseDigit = (text: string): Option.Option<Value.Digit> =>
  decimalInteger.test(text) ? digit(BigInt(text)) : Option.none()

/** A `Float` value (every number, including `NaN` and infinities). */
export const float = (value: number): Value.Float => tagged<Value.Float>("Float", value)

/** A `Time` value from ISO-8601 text (kept as given) or from a valid `Date`. `None` for an invalid `Date`. */
export const time = (value: string | Date): Option.Option<Value.Time> => {
  if (typeof value === "string") return Option.some(tagged<Value.Time>("Time", value))
  return Number.isNaN(value.getTime()) ? Option.none() : Option.some(tagged<Value.Time>("Time", value.toISOString()))
}

/** An `IpAddr` value; `None` unless `text` is an IPv4 or IPv6 address. */
export const ipAddr = (text: string): Option.Option<Value.IpAddr> =>
  isIP(text) === 0 ? Option.none() : Option.some(tagged<Value.IpAddr>("IpAddr", text))

/** An `Obj` value from entries or a record of values (insertion order kept). */
export const obj = (
  entries: Iterable<readonly [string, Value]> | { readonly [name: string]: Value }
): Value.Obj => {
  const iterable: Iterable<readonly [string, Value]> = Symbol.iterator in entries
    ? (entries as Iterable<readonly [string, Value]>)
    : Object.entries(entries as { readonly [name: string]: Value })
  return tagged<Value.Obj>("Obj", new Map(iterable))
}

/** An `Array` value. */
export const array = (values: Iterable<Value>): Value.Array => tagged<Value.Array>("Array", Array.from(values))

const kinds: { readonly [K in Value["_tag"]]: ValueKind } = {
  Null: "null",
  Bool: "bool",
  Chars: "chars",
  Digit: "digit",
  Float: "float",
  Time: "time",
  IpAddr: "ip",
  Obj: "obj",
  Array: "array"
}

/** The kind name of a value: `"digit"`, `"chars"`, `"ip"`, ... */
export const kindOf = (value: Value): ValueKind => kinds[value._tag]

/** A field; `meta` defaults to the kind name of `value`. */
export const field = (name: string, value: Value, meta?: string): DataField => ({
  name,
  meta: meta ?? kindOf(value),
  value
})

/** A record of the given fields, in order. */
export const make = (fields: Iterable<DataField>): DataRecord => ({ fields: Array.from(fields) })

/** The record without fields. */
export const empty: DataRecord = { fields: [] }

/** Plain JSON data, as `JSON.parse` makes it: what `fromPlain` makes a record of. */
export type PlainData = null | boolean | number | string | ReadonlyArray<PlainData> | { readonly [name: string]: PlainData }

/** Kinds other than `chars` that top-level strings of a plain record have, by field name (see `fromPlain`). */
export type PlainKinds = { readonly [name: string]: "time" | "ip" }

/** A plain value as a record value: integers are `Digit`s, other numbers `Float`s, objects and arrays by their keys and items in order. */
const fromPlainValue = (u: PlainData): Value => {
  switch (typeof u) {
    case "string":
      return chars(u)
    case "number":
      return Number.isInteger(u) ? Option.getOrElse(digit(u), () => float(u)) : float(u)
    case "boolean":
      return bool(u)
    default: {
      if (u === null) return nil
      if (Array.isArray(u)) return array((u as ReadonlyArray<PlainData>).map(fromPlainValue))
      const o = u as { readonly [name: string]: PlainData }
      return tagged<Value.Obj>("Obj", new Map(Object.keys(o).map((name) => [name, fromPlainValue(o[name]!)])))
    }
  }
}

/** The fields of a plain object: one per key, in `Object.keys` order; a string named in `kinds` has that kind. */
const plainFields = (plain: { readonly [name: string]: PlainData }, kinds: PlainKinds | undefined): ReadonlyArray<DataField> =>
  Object.keys(plain).map((name) => {
    const u = plain[name]!
    const kind = kinds?.[name]
    if (kind === undefined || typeof u !== "string") return field(name, fromPlainValue(u))
    const value = kind === "time" ? time(u) : ipAddr(u)
    return field(name, Option.getOrElse(value as Option.Option<Value>, () => chars(u)))
  })

/**
 * A record held as the plain object a parser made: its fields are made from it the first time they are
 * read, and `toJsonText` writes it with one `JSON.stringify` (a record that goes from JSON in to JSON out
 * untouched never becomes fields). Private fields: a copy (`{ ...record, fields }`) is an ordinary record.
 */
class PlainRecord implements DataRecord {
  readonly #plain: { readonly [name: string]: PlainData }
  readonly #kinds: PlainKinds | undefined
  #fields: ReadonlyArray<DataField> | undefined
  constructor(plain: { readonly [name: string]: PlainData }, kinds: PlainKinds | undefined) {
    this.#plain = plain
    this.#kinds = kinds
  }
  /** The record's fields, made on first read. */
  get fields(): ReadonlyArray<DataField> {
    return (this.#fields ??= plainFields(this.#plain, this.#kinds))
  }
  /** What `JSON.stringify` writes of it: what it writes of an ordinary record (`{"fields":[...]}`). */
  toJSON(): { readonly fields: ReadonlyArray<DataField> } {
    return { fields: this.fields }
  }
  /** The plain object of `record` when it is a `PlainRecord`. */
  static plainOf(record: DataRecord): { readonly [name: string]: PlainData } | undefined {
    return #plain in record ? (record as PlainRecord).#plain : undefined
  }
}

/**
 * A record of the plain object `plain` (one field per key, in `Object.keys` order: strings `Chars`, or the
 * kind `kinds` gives their name; integers `Digit`s; other numbers `Float`s; objects `Obj`s; arrays
 * `Array`s), its fields made when first read. The caller guarantees what makes `JSON.stringify(plain)` the
 * record's `toJsonText`: every number is finite and every integer within ±(2^53 - 1) (as `JSON.parse` makes
 * them of text with no 16-digit run and no exponent), and no object's keys are in another order than they
 * were meant to be (integer-like keys come first). `plain` is the record's: it must not change.
 */
export const fromPlain = (plain: { readonly [name: string]: PlainData }, kinds?: PlainKinds): DataRecord => new PlainRecord(plain, kinds)

/** The plain object a `fromPlain` record holds (what `toJsonText` stringifies), or `undefined` for another record. */
export const plainOf = (record: DataRecord): { readonly [name: string]: PlainData } | undefined => PlainRecord.plainOf(record)

/** The value of the first field named `name`. */
export const get: {
  /** The value of the first field named `name`. */
  (name: string): (record: DataRecord) => Option.Option<Value>
  /** The value of the first field named `name`. */
  (record: DataRecord, name: string): Option.Option<Value>
} = Function.dual(
  2,
  (record: DataRecord, name: string): Option.Option<Value> =>
    Option.map(Option.fromNullable(record.fields.find((f) => f.name === name)), (f) => f.value)
)

const isPlainObject = (u: unknown): u is { readonly [key: string]: unknown } => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return false
  const proto: unknown = Object.getPrototypeOf(u)
  return proto === null || proto === Object.prototype
}

const invalid = (path: ReadonlyArray<PropertyKey>, where: string | undefined, detail: string, expected: string) => {
  const at = formatPath(where, path)
  return Either.left(new ConfigError(at === undefined ? { detail, expected } : { detail, expected, path: at }))
}

const jsonExpected = "a JSON value (null, boolean, finite number, string, array or object) or a bigint"

const valueFromJson = (
  u: unknown,
  path: Array<PropertyKey>,
  where: string | undefined,
  ancestors: Set<object>
): Either.Either<Value, ConfigError> => {
  switch (typeof u) {
    case "boolean":
      return Either.right(bool(u))
    case "string":
      return Either.right(chars(u))
    case "number":
      if (!Number.isFinite(u)) return invalid([...path], where, `${u} is not a JSON number`, jsonExpected)
      return Either.right(Number.isInteger(u) ? Option.getOrElse(digit(u), () => float(u)) : float(u))
    case "bigint":
      return Option.match(digit(u), {
        onNone: () => invalid([...path], where, `integer ${u} is outside the 64-bit range`, `${digitMin}..${digitMax}`),
        onSome: Either.right
      })
    case "object": {
      if (u === null) return Either.right(nil)
      if (u instanceof Date) {
        return Option.match(time(u), {
          onNone: () => invalid([...path], where, "invalid Date", "a valid Date"),
          onSome: Either.right
        })
      }
      if (ancestors.has(u)) return invalid([...path], where, "circular reference", jsonExpected)
      if (Array.isArray(u)) {
        ancestors.add(u)
        const out: Array<Value> = []
        for (let i = 0; i < u.length; i++) {
          path.push(i)
          const item = valueFromJson(u[i], path, where, ancestors)
          path.pop()
          if (Either.isLeft(item)) return item
          out.push(item.right)
        }
        ancestors.delete(u)
        return Either.right(array(out))
      }
      if (!isPlainObject(u)) return invalid([...path], where, "a class instance is not a JSON value", jsonExpected)
      ancestors.add(u)
      const entries: Array<[string, Value]> = []
      for (const key of Object.keys(u)) {
        path.push(key)
        const item = valueFromJson(u[key], path, where, ancestors)
        path.pop()
        if (Either.isLeft(item)) return item
        entries.push([key, item.right])
      }
      ancestors.delete(u)
      return Either.right(obj(entries))
    }
    default:
      return invalid(
        [...path],
        where,
        `${u === undefined ? "undefined" : `a ${typeof u}`} is not a JSON value`,
        jsonExpected
      )
  }
}

/**
 * A record from a JSON object (e.g. `JSON.parse` output): one field per key, in order. Integers in the
 * i64 range become `Digit`, other numbers `Float`, objects `Obj`, arrays `Array`; a `bigint` becomes `Digit`
 * and a `Date` becomes `Time` (numbers above 2^53 are already rounded by `JSON.parse`: pass bigints to keep
 * them exact). Anything else fails with a `ConfigError` whose path names the key (under `where`).
 */
export const fromJson = (u: unknown, where?: string): Either.Either<DataRecord, ConfigError> => {
  if (!isPlainObject(u)) {
    const actual = Array.isArray(u) ? "an array" : u === null ? "null" : typeof u
    return invalid([], where, `${actual} is not a JSON object`, "a JSON object")
  }
  const item = valueFromJson(u, [], where, new Set())
  if (Either.isLeft(item)) return Either.left(item.left)
  const value = item.right as Value.Obj
  return Either.right(make(Array.from(value.value, ([name, v]) => field(name, v))))
}

/** JSON text of a float the way serde_json writes it: integral values keep `.0`, non-finite become `null`. */
export const floatText = (n: number): string => {
  if (!Number.isFinite(n)) return "null"
  const text = JSON.stringify(n)
  return /[.eE]/.test(text) ? text : `${text}.0`
}

/** The most names `nameJson` keeps: field names repeat from record to record, but keys of `Obj`s come from data. */
const nameCacheSize = 4096

/** `"name":` by name, for the names seen first (names of up to 64 characters). */
const nameTexts = new Map<string, string>()

/** A name as JSON text with the `:` after it (`"name":`), from a shared cache when it was seen before. */
export const nameJson = (name: string): string => {
  let text = nameTexts.get(name)
  if (text === undefined) {
    text = `${JSON.stringify(name)}:`
    if (nameTexts.size < nameCacheSize && name.length <= 64) nameTexts.set(name, text)
  }
  return text
}

/** The compact JSON text of a value, as `toJsonText` writes it in a record (integral floats with `.0`, non-finite ones as `null`). */
export const valueJson = (value: Value): string => {
  switch (value._tag) {
    case "Null":
      return "null"
    case "Bool":
      return value.value ? "true" : "false"
    case "Digit":
      return value.value.toString()
    case "Float":
      return floatText(value.value)
    case "Chars":
    case "Time":
    case "IpAddr":
      return JSON.stringify(value.value)
    case "Obj": {
      let out = "{"
      for (const [name, item] of value.value) out += (out.length === 1 ? "" : ",") + nameJson(name) + valueJson(item)
      return `${out}}`
    }
    case "Array": {
      const items = value.value
      let out = "["
      for (let i = 0; i < items.length; i++) out += (i === 0 ? "" : ",") + valueJson(items[i]!)
      return `${out}]`
    }
  }
}

/** The largest integer a JavaScript number holds exactly: `Digit`s within it print the same as numbers. */
const safeMax = BigInt(Number.MAX_SAFE_INTEGER)

/** JSON data: what `JSON.stringify` writes as the same text `valueJson` would. */
type Plain = PlainData

/**
 * `true` when `name` can be a key of a plain object that `JSON.stringify` writes in insertion order: not one
 * of `o` already (a repeated name, or one on `Object.prototype` such as `__proto__`), and not starting with
 * a digit (integer-like keys are enumerated first).
 */
const plainKey = (o: { readonly [name: string]: Plain }, name: string): boolean => {
  const c = name.charCodeAt(0)
  return !(c >= 0x30 && c <= 0x39) && !(name in o)
}

/** `value` as JSON data `JSON.stringify` writes exactly as `valueJson` does, or `undefined` when there is none. */
const plainValue = (value: Value): Plain | undefined => {
  switch (value._tag) {
    case "Null":
      return null
    case "Bool":
    case "Chars":
    case "Time":
    case "IpAddr":
      return value.value
    case "Digit": {
      const n = value.value
      return n <= safeMax && n >= -safeMax ? Number(n) : undefined
    }
    case "Float":
      // an integral float is written with `.0`, which no number prints
      return Number.isInteger(value.value) ? undefined : value.value
    case "Obj": {
      const o: { [name: string]: Plain } = {}
      for (const [name, item] of value.value) {
        const plain = plainKey(o, name) ? plainValue(item) : undefined
        if (plain === undefined) return undefined
        o[name] = plain
      }
      return o
    }
    case "Array": {
      const items = value.value
      const out: Array<Plain> = new Array(items.length)
      for (let i = 0; i < items.length; i++) {
        const plain = plainValue(items[i]!)
        if (plain === undefined) return undefined
        out[i] = plain
      }
      return out
    }
  }
}

/**
 * `value` as plain JSON data that `JSON.stringify` writes exactly as `valueJson` does (and `fromPlain` reads
 * back as `value`), or `undefined` when there is none: a `Digit` beyond 2^53, an integral `Float`, an `Obj`
 * with a repeated or integer-like key.
 */
export const toPlain = (value: Value): PlainData | undefined => plainValue(value)

/** The record as a plain object `JSON.stringify` writes as `toJsonText` must, or `undefined` when there is none. */
const plainRecord = (record: DataRecord): Plain | undefined => {
  const o: { [name: string]: Plain } = {}
  const fields = record.fields
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!
    const plain = plainKey(o, f.name) ? plainValue(f.value) : undefined
    if (plain === undefined) return undefined
    o[f.name] = plain
  }
  return o
}

/**
 * Compact JSON text of a record: an object of its fields in order. `Digit`s are written as exact integer
 * text (i64 precision kept), floats as serde_json does, `Time`/`IpAddr` as strings. (Per record on a sink's
 * hot path: a record that maps onto a plain object, as most do, is written by `JSON.stringify` in one native
 * pass, leaving one string; others, with a `Digit` beyond 2^53, an integral `Float`, a repeated or integer-like
 * name, are appended piece by piece.)
 */
export const toJsonText = (record: DataRecord): string => {
  const own = PlainRecord.plainOf(record)
  if (own !== undefined) return JSON.stringify(own)
  const plain = plainRecord(record)
  if (plain !== undefined) return JSON.stringify(plain)
  const fields = record.fields
  let out = "{"
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!
    out += (i === 0 ? "" : ",") + nameJson(f.name) + valueJson(f.value)
  }
  return `${out}}`
}

const bare = /^[^\s"=\\]+$/

const kvToken = (text: string): string => (bare.test(text) ? text : JSON.stringify(text))

const valueKv = (value: Value): string => {
  switch (value._tag) {
    case "Null":
      return "null"
    case "Bool":
      return value.value ? "true" : "false"
    case "Digit":
      return value.value.toString()
    case "Float":
      return Number.isFinite(value.value) ? floatText(value.value) : String(value.value)
    case "Chars":
    case "Time":
    case "IpAddr":
      return kvToken(value.value)
    case "Obj":
    case "Array":
      return kvToken(valueJson(value))
  }
}

/**
 * Key-value text of a record (`a=1 b="x y"`): names and texts are bare unless empty or containing
 * spaces, `"`, `=` or `\`, in which case they are JSON-quoted; objects and arrays are written as JSON.
 */
export const toKv = (record: DataRecord): string =>
  record.fields.map((f) => `${kvToken(f.name)}=${valueKv(f.value)}`).join(" ")

/**
 * The text of a value that reads as text: a `Chars`, `Time` or `IpAddr` as it is, a `Digit` or `Float` as
 * its decimal text (`String` of the number); `undefined` for `Bool`, `Null`, `Obj` and `Array`.
 */
export const textOf = (value: Value): string | undefined => {
  switch (value._tag) {
    case "Chars":
    case "Time":
    case "IpAddr":
      return value.value
    case "Digit":
      return value.value.toString()
    case "Float":
      return String(value.value)
    default:
      return undefined
  }
}

/**
 * The text of a value, as a tag or a template shows it: texts, times and addresses as they are, a `Digit`
 * exactly, a `Float` as JSON writes it (`1.0`; `NaN`, `Infinity`), `true`/`false`, `null`, objects and
 * arrays as compact JSON.
 */
export const text = (value: Value): string => {
  switch (value._tag) {
    case "Chars":
    case "Time":
    case "IpAddr":
      return value.value
    case "Float":
      return Number.isFinite(value.value) ? floatText(value.value) : String(value.value)
    default:
      return valueJson(value)
  }
}
