/**
 * A record held as the plain object a parser made (`DataRecord.fromPlain`): its fields, made when first
 * read, are the ones the eager reading gives; `toJsonText` writes it with one `JSON.stringify` and that is
 * the text its fields give; a copy with other fields is an ordinary record. The `json` processor makes one
 * only of text whose numbers `JSON.parse` reads exactly and that cannot nest too deep; other text is read
 * into fields at once, as before.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc, Option } from "effect"
import { DataRecord } from "../../src/index.js"
import * as ExactJson from "../../src/processing/exact-json.js"
import * as Json from "../../src/processing/json.js"
import { payloadEvent, single, step } from "../processing/parser-fixtures.js"

const parse = step(Json.kind, {})

/** The record the `json` processor makes of `text`. */
const recordOf = (text: string): DataRecord.DataRecord => single(parse(payloadEvent(text))).record!

/**
 * A value as the processor documents it, read from `ExactJson.parse`'s output: an integer in the i64 range
 * is a `Digit` (exactly), other numbers and integers beyond i64 are `Float`s.
 */
const documented = (u: unknown): DataRecord.Value => {
  if (typeof u === "number" || typeof u === "bigint") {
    if (typeof u === "number" && !Number.isInteger(u)) return DataRecord.float(u)
    return Option.getOrElse(DataRecord.digit(u), () => DataRecord.float(Number(u)))
  }
  if (Array.isArray(u)) return DataRecord.array(u.map(documented))
  if (typeof u === "object" && u !== null) return DataRecord.obj(Object.keys(u).map((k) => [k, documented((u as Record<string, unknown>)[k])] as const))
  return Either.getOrThrow(DataRecord.fromJson({ v: u })).fields[0]!.value
}

/** The record the eager reading gives: every value read exactly (`ExactJson.parse`), as fields at once. */
const eager = (text: string): DataRecord.DataRecord => {
  const o = ExactJson.parse(text) as Record<string, unknown>
  return DataRecord.make(Object.keys(o).map((k) => DataRecord.field(k, documented(o[k]))))
}

/** The same fields in an ordinary record: its JSON is written field by field, not from a plain object. */
const ordinary = (record: DataRecord.DataRecord): DataRecord.DataRecord => DataRecord.make(record.fields.slice())

describe("DataRecord.fromPlain", () => {
  it("makes its fields when first read: one per key in order, strings of the kinds given, integers Digits, other numbers Floats", () => {
    const record = DataRecord.fromPlain(
      { n: 7, x: 0.5, s: "a", at: "2024-11-01T00:00:00Z", ip: "10.0.0.1", notIp: "x", ok: true, none: null, o: { b: [1, "c"] } },
      { at: "time", ip: "ip", notIp: "ip" }
    )
    expect(record.fields.map((f) => [f.name, f.meta])).toEqual([
      ["n", "digit"],
      ["x", "float"],
      ["s", "chars"],
      ["at", "time"],
      ["ip", "ip"],
      ["notIp", "chars"], // not an address: text
      ["ok", "bool"],
      ["none", "null"],
      ["o", "obj"]
    ])
    expect(record.fields[0]!.value).toEqual(Option.getOrThrow(DataRecord.digit(7)))
    expect(record.fields).toBe(record.fields) // made once
    expect(DataRecord.toJsonText(record)).toBe(DataRecord.toJsonText(ordinary(record)))
  })

  it("a copy with other fields is an ordinary record: it is written from its own fields, not from the plain object", () => {
    const record = DataRecord.fromPlain({ a: 1, b: "x" })
    const renamed: DataRecord.DataRecord = { ...record, fields: [DataRecord.field("c", DataRecord.chars("y"))] }
    expect(DataRecord.toJsonText(renamed)).toBe("{\"c\":\"y\"}")
    expect(DataRecord.toJsonText(record)).toBe("{\"a\":1,\"b\":\"x\"}")
  })
})

describe("json processor: records of the parsed object", () => {
  it("text with an exponent or a 16-digit run is read into fields at once: integral floats keep their .0, long integers stay exact", () => {
    expect(DataRecord.toJsonText(recordOf("{\"a\":1e19,\"b\":2.5e2}"))).toBe("{\"a\":10000000000000000000.0,\"b\":250}")
    expect(DataRecord.toJsonText(recordOf("{\"id\":9007199254740993}"))).toBe("{\"id\":9007199254740993}")
    expect(DataRecord.toJsonText(recordOf("{\"x\":9.223372036854776e18}"))).toBe("{\"x\":9223372036854776000.0}")
  })

  it("text that may nest deeper than 512 levels is walked at once: too deep is a ProcessorError", () => {
    const deep = `{"a":${"[".repeat(600)}${"]".repeat(600)}}`
    expect(parse(payloadEvent(deep))).toMatchObject({ _tag: "ProcessorError", code: 540 })
    const wide = `{"a":[${Array.from({ length: 600 }, () => "[]").join(",")}]}`
    expect(recordOf(wide).fields[0]!.value).toMatchObject({ _tag: "Array" })
  })

  it("integer-like and __proto__ keys, repeated keys, -0, escapes: the same fields and the same JSON as read at once", () => {
    for (
      const text of [
        "{\"b\":1,\"2\":2,\"a\":{\"10\":1,\"1\":2}}",
        "{\"__proto__\":{\"x\":1},\"k\":2}",
        "{\"a\":1,\"b\":2,\"a\":3}",
        "{\"z\":-0,\"y\":-0.0,\"x\":1.0,\"w\":0.1}",
        "{\"s\":\"\\u2028 \\ud800 \\\" \\\\ \\n\"}"
      ]
    ) {
      const record = recordOf(text)
      expect(record.fields, text).toEqual(eager(text).fields)
      expect(DataRecord.toJsonText(record), text).toBe(DataRecord.toJsonText(ordinary(record)))
    }
  })

  it("any JSON object: the record's fields are those read at once, and its JSON is what they give", () => {
    // numbers as literals, also in forms JSON.stringify never writes (`1.5e17`, `2.0`, `-0`)
    const literal = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
      fc.integer().map(String),
      fc.tuple(fc.integer({ min: -99, max: 99 }), fc.nat(99), fc.constantFrom("e", "E", "e+", "e-"), fc.nat(25))
        .map(([i, f, e, x]) => `${i}.${f}${e}${x}`),
      fc.tuple(fc.integer(), fc.nat(30)).map(([i, x]) => `${i}e${x}`),
      fc.integer().map((i) => `${i}.0`),
      fc.constantFrom("-0", "9007199254740993", "-9223372036854775808", "9223372036854775808", "1e400")
    )
    type Doc = { readonly n: string } | string | boolean | null | ReadonlyArray<Doc> | { readonly o: ReadonlyArray<readonly [string, Doc]> }
    const tree = fc.letrec<{ v: Doc; o: Doc }>((tie) => ({
      v: fc.oneof(
        { depthSize: "small" },
        fc.string(),
        literal.map((n) => ({ n })),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie("v"), { maxLength: 4 }),
        tie("o")
      ),
      o: fc.array(fc.tuple(fc.oneof(fc.string(), fc.constantFrom("1", "07", "__proto__", "a")), tie("v")), { maxLength: 5 }).map((o) => ({ o }))
    }))
    const write = (d: Doc): string =>
      d === null || typeof d !== "object"
        ? JSON.stringify(d)
        : Array.isArray(d)
        ? `[${d.map(write).join(",")}]`
        : "n" in d
        ? d.n
        : `{${(d as { readonly o: ReadonlyArray<readonly [string, Doc]> }).o.map(([k, v]) => `${JSON.stringify(k)}:${write(v)}`).join(",")}}`
    fc.assert(
      fc.property(tree.o, (doc) => {
        const text = write(doc)
        const record = recordOf(text)
        expect(record.fields).toEqual(eager(text).fields)
        expect(DataRecord.toJsonText(record)).toBe(DataRecord.toJsonText(ordinary(record)))
      }),
      { numRuns: 1000 }
    )
  })
})
