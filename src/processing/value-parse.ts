/**
 * `ValueParse`: text to typed record values, shared by the parsers that type what they read (`regex`,
 * `csv`, `kv`) and by `cast`. A type is one of `int` (decimal i64 → `Digit`), `float` (decimal, exponent
 * allowed → `Float`), `bool` (`true/false`, `yes/no`, `on/off`, `1/0`, case-insensitive → `Bool`), `time` (RFC 3339
 * → `Time`, in UTC), `ip` (IPv4 or IPv6 → `IpAddr`) or `chars` (the text as it is).
 *
 * @since 0.2.0
 */
import { Effect, Option, Schema } from "effect"
import { formatPath } from "../config/param.js"
import { ConfigError } from "../errors/config.js"
import * as DataRecord from "../model/record.js"
import * as TimeFormat from "./time-format.js"

/** The name of a type a text can be read as. */
export type ValueType = "int" | "float" | "bool" | "time" | "ip" | "chars"

/** The Schema of a type name (`"int"`, `"float"`, `"bool"`, `"time"`, `"ip"`, `"chars"`). */
export const ValueType: Schema.Schema<ValueType> = Schema.Literal("int", "float", "bool", "time", "ip", "chars")

/** The Schema of a `types` table: names to type names (`{ status = "int", took = "float" }`). */
export const TypesTable = Schema.Record({ key: Schema.String, value: ValueType })

/** Reads a text as one type: the value, or `undefined` when the text is not of that type. */
export type TextParser = (text: string) => DataRecord.Value | undefined

const floatPattern = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/
const integerPattern = /^[+-]?\d+$/

/** Decimal integer text in the i64 range as a `Digit`. */
const int: TextParser = (text) => Option.getOrUndefined(DataRecord.parseDigit(text))

/** Decimal text (`1`, `-0.5`, `.5`, `1e3`) as a `Float`. */
const float: TextParser = (text) => (floatPattern.test(text) ? DataRecord.float(Number(text)) : undefined)

const trueValue = DataRecord.bool(true)
const falseValue = DataRecord.bool(false)

const bools: ReadonlyMap<string, DataRecord.Value.Bool> = new Map([
  ["true", trueValue],
  ["yes", trueValue],
  ["on", trueValue],
  ["1", trueValue],
  ["false", falseValue],
  ["no", falseValue],
  ["off", falseValue],
  ["0", falseValue]
])

/** `true/false`, `yes/no`, `on/off`, `1/0`, case-insensitive, as a `Bool`. */
const bool: TextParser = (text) => (text.length <= 5 ? bools.get(text.toLowerCase()) : undefined)

/** RFC 3339 text as a `Time` (in UTC). */
const time: TextParser = (text) => {
  const iso = TimeFormat.rfc3339(text)
  return iso === undefined ? undefined : Option.getOrUndefined(DataRecord.time(iso))
}

/** An IPv4 or IPv6 address as an `IpAddr`. */
const ip: TextParser = (text) => Option.getOrUndefined(DataRecord.ipAddr(text))

/** The text as `Chars`. */
const chars: TextParser = (text) => DataRecord.chars(text)

const parsers: { readonly [T in ValueType]: TextParser } = { int, float, bool, time, ip, chars }

/** The reader of one type. */
export const parser = (type: ValueType): TextParser => parsers[type]

/**
 * A value for untyped text (`kv` with `infer_types`): a decimal integer in the i64 range is a `Digit`, other
 * decimal numbers a `Float`, `true`/`false` a `Bool`, anything else `Chars`.
 */
export const infer = (text: string): DataRecord.Value => {
  const c = text.charCodeAt(0)
  if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e) {
    if (integerPattern.test(text)) {
      const digit = DataRecord.parseDigit(text)
      return Option.isSome(digit) ? digit.value : DataRecord.float(Number(text))
    }
    if (floatPattern.test(text)) return DataRecord.float(Number(text))
  }
  return text === "true" ? trueValue : text === "false" ? falseValue : DataRecord.chars(text)
}

/** The text a value is read from when it is converted: its text, or the decimal text of a number; none for `Obj`/`Array`/`Null`. */
const textOf = (value: DataRecord.Value): string | undefined =>
  value._tag === "Bool" ? (value.value ? "true" : "false") : DataRecord.textOf(value)

const kinds: { readonly [T in ValueType]: DataRecord.ValueKind } = {
  int: "digit",
  float: "float",
  bool: "bool",
  time: "time",
  ip: "ip",
  chars: "chars"
}

/**
 * `value` converted to `type` (`cast`): a value already of that type is kept, `Null` stays `Null`, others
 * are read from their text (a `Digit` 1 is the text `1`: `float` 1, `bool` true). `undefined` when the
 * value cannot be read as that type (an `Obj`, `Array`, or text of another type).
 */
export const convert = (type: ValueType, value: DataRecord.Value): DataRecord.Value | undefined => {
  if (value._tag === "Null" || DataRecord.kindOf(value) === kinds[type]) return value
  const text = textOf(value)
  return text === undefined ? undefined : parsers[type](text)
}

/** The type of a name and its reader. */
export interface Typed {
  readonly type: ValueType
  readonly parse: TextParser
}

/**
 * The types of `names` (in order) from a `types` table: `chars` for a name it does not list. A key that
 * is none of `names` fails with a `ConfigError` at `<where>.types.<key>` (`what` says what the names are).
 */
export const typed = (
  names: ReadonlyArray<string>,
  types: { readonly [name: string]: ValueType },
  where: string,
  what: string
): Effect.Effect<ReadonlyArray<Typed>, ConfigError> => {
  for (const key of Object.keys(types)) {
    if (!names.includes(key)) {
      return Effect.fail(
        new ConfigError({
          detail: `"${key}" is not one of the ${what}`,
          path: formatPath(`${where}.types`, [key]),
          expected: names.length === 0 ? `no ${what}` : `one of: ${names.join(", ")}`
        })
      )
    }
  }
  return Effect.succeed(names.map((name) => {
    const type = types[name] ?? "chars"
    return { type, parse: parsers[type] }
  }))
}
