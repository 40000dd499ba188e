/**
 * `JsonBytes.recordInto` writes the bytes of `Buffer.from(DataRecord.toJsonText(record))` for every kind
 * of value: texts that need escapes or are not ASCII, lone surrogates, big and negative digits, integral
 * and odd floats, nested objects and arrays, repeated and awkward names, and records held as plain objects.
 */
import { describe, expect, it } from "@effect/vitest"
import { Option } from "effect"
import { ByteBuilder, DataRecord, JsonBytes } from "../../src/index.js"

const digit = (n: bigint | number) => Option.getOrThrow(DataRecord.digit(n))

/** What `recordInto` writes of `record`, after a byte already written (the offset is not 0). */
const written = (record: DataRecord.DataRecord): Buffer => {
  const out = ByteBuilder.make(16)
  out.byte(0x7c)
  JsonBytes.recordInto(record, out)
  return out.take().subarray(1)
}

const expectSameBytes = (record: DataRecord.DataRecord) =>
  expect([...written(record)]).toEqual([...Buffer.from(DataRecord.toJsonText(record), "utf8")])

/** A small seeded generator (mulberry32): the same cases on every run. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const alphabet = ["a", "Z", "0", " ", "\"", "\\", "\n", "\t", "\u0001", "\u007f", "é", "日", "😀", "\ud800", "\udfff", "/", "<"]

describe("JsonBytes", () => {
  it("every value kind, and awkward names, as toJsonText writes them", () => {
    const values: ReadonlyArray<DataRecord.Value> = [
      DataRecord.chars("plain"),
      DataRecord.chars(""),
      DataRecord.chars("quote \" backslash \\ newline \n tab \t"),
      DataRecord.chars(`${"long text without escapes ".repeat(3)}`),
      DataRecord.chars(`${"long text ".repeat(5)}with a "quote"`),
      DataRecord.chars("non-ASCII héllo 日本 😀"),
      DataRecord.chars("lone \ud800 surrogate"),
      DataRecord.nil,
      DataRecord.bool(true),
      DataRecord.bool(false),
      digit(0),
      digit(7),
      digit(999),
      digit(1000),
      digit(-42),
      digit(2n ** 53n + 1n),
      digit(DataRecord.digitMin),
      DataRecord.float(0),
      DataRecord.float(-0),
      DataRecord.float(6.25),
      DataRecord.float(1),
      DataRecord.float(5000),
      DataRecord.float(-3),
      DataRecord.float(1e21),
      DataRecord.float(1.5e-7),
      DataRecord.float(Number.NaN),
      DataRecord.float(Number.POSITIVE_INFINITY),
      Option.getOrThrow(DataRecord.time("2026-11-28T12:00:00.000Z")),
      Option.getOrThrow(DataRecord.ipAddr("::1")),
      DataRecord.obj([["k", DataRecord.chars("v")], ["n", digit(1)], ["inner", DataRecord.array([DataRecord.float(2), DataRecord.nil])]]),
      DataRecord.array([])
    ]
    for (const [i, value] of values.entries()) expectSameBytes(DataRecord.make([DataRecord.field(`f${i}`, value)]))
    expectSameBytes(DataRecord.make(values.map((v, i) => DataRecord.field(`f${i}`, v))))
    // repeated, integer-like, prototype and escaped names
    expectSameBytes(DataRecord.make([
      DataRecord.field("a", digit(1)),
      DataRecord.field("a", digit(2)),
      DataRecord.field("10", DataRecord.chars("x")),
      DataRecord.field("__proto__", DataRecord.chars("y")),
      DataRecord.field("we\"ird\n", DataRecord.chars("z")),
      DataRecord.field("", DataRecord.nil)
    ]))
    expectSameBytes(DataRecord.empty)
  })

  it("records of one shape, then another of the same length, then the first again: each as toJsonText writes it", () => {
    const shapeA = (i: number) => DataRecord.make([DataRecord.field("a", digit(i)), DataRecord.field("b", DataRecord.chars(`x${i}`))])
    const shapeB = (i: number) => DataRecord.make([DataRecord.field("a", digit(i)), DataRecord.field("c\"", DataRecord.float(i / 2))])
    for (const record of [shapeA(1), shapeA(2), shapeB(3), shapeB(4), shapeA(5), DataRecord.empty, shapeB(6)]) expectSameBytes(record)
  })

  it("a record held as its parser's plain object is written as toJsonText writes it", () => {
    expectSameBytes(DataRecord.fromPlain({ msg: "héllo \"you\"", n: 12, f: 0.5, ok: true, none: null, list: [1, "two"], o: { a: 1 } }))
  })

  it("random texts of every awkward character: the same bytes as Buffer.from(toJsonText)", () => {
    const next = random(15)
    for (let i = 0; i < 2000; i++) {
      const length = Math.floor(next() * 60)
      let text = ""
      for (let k = 0; k < length; k++) text += next() < 0.7 ? String.fromCharCode(0x20 + Math.floor(next() * 90)) : alphabet[Math.floor(next() * alphabet.length)]!
      expectSameBytes(DataRecord.make([DataRecord.field(text.slice(0, 8), DataRecord.chars(text)), DataRecord.field("n", DataRecord.float(next() * 1000))]))
    }
  })
})
