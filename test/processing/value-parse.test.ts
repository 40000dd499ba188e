import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as DataRecord from "../../src/model/record.js"
import * as ValueParse from "../../src/processing/value-parse.js"

/** What `type` reads from each text: `[tag, value]`, or `undefined` when it is not of the type. */
const reads = (type: ValueParse.ValueType, texts: ReadonlyArray<string>) =>
  texts.map((text) => {
    const v = ValueParse.parser(type)(text)
    return v === undefined ? undefined : [v._tag, "value" in v ? v.value : null]
  })

/** `n` texts that are not of the type. */
const nothing = (n: number): ReadonlyArray<undefined> => Array.from({ length: n }, () => undefined)

describe("ValueParse.parser", () => {
  it("int: decimal i64 only", () => {
    expect(reads("int", ["42", "-7", "+3", "9223372036854775807", "9223372036854775808", "1.0", "1e3", " 1", "", "0x1f"])).toEqual([
      ["Digit", 42n],
      ["Digit", -7n],
      ["Digit", 3n],
      ["Digit", 9223372036854775807n],
      ...nothing(6)
    ])
  })

  it("float: decimal numbers with an optional exponent", () => {
    expect(reads("float", ["1", "-0.5", ".5", "5.", "1e3", "2.5E-2", "", "1,5", "Infinity", "NaN", "0x10", " 1"])).toEqual([
      ["Float", 1],
      ["Float", -0.5],
      ["Float", 0.5],
      ["Float", 5],
      ["Float", 1000],
      ["Float", 0.025],
      ...nothing(6)
    ])
  })

  it("bool: true/false, yes/no, on/off, 1/0, case-insensitive", () => {
    expect(reads("bool", ["true", "FALSE", "Yes", "no", "ON", "off", "1", "0", "2", "truee", ""])).toEqual([
      ["Bool", true],
      ["Bool", false],
      ["Bool", true],
      ["Bool", false],
      ["Bool", true],
      ["Bool", false],
      ["Bool", true],
      ["Bool", false],
      ...nothing(3)
    ])
  })

  it("time: RFC 3339 to UTC; ip: IPv4 and IPv6; chars: anything", () => {
    expect(reads("time", ["2024-11-28T12:00:00-01:00", "2024-11-28"])).toEqual([["Time", "2024-11-28T13:00:00.000Z"], undefined])
    expect(reads("ip", ["10.0.0.1", "::ffff:10.0.0.1", "10.0.0.256", "host"])).toEqual([
      ["IpAddr", "10.0.0.1"],
      ["IpAddr", "::ffff:10.0.0.1"],
      undefined,
      undefined
    ])
    expect(reads("chars", ["", " x "])).toEqual([["Chars", ""], ["Chars", " x "]])
  })
})

describe("ValueParse.infer", () => {
  it("types integers, floats and true/false, and leaves the rest as text", () => {
    const tags = ["12", "-12", "1.5", "-.5", "1e2", "99999999999999999999", "true", "false", "True", "1.2.3", "-", "+", "."]
      .map((t) => {
        const v = ValueParse.infer(t)
        return [v._tag, "value" in v ? v.value : null]
      })
    expect(tags).toEqual([
      ["Digit", 12n],
      ["Digit", -12n],
      ["Float", 1.5],
      ["Float", -0.5],
      ["Float", 100],
      ["Float", 1e20],
      ["Bool", true],
      ["Bool", false],
      ["Chars", "True"],
      ["Chars", "1.2.3"],
      ["Chars", "-"],
      ["Chars", "+"],
      ["Chars", "."]
    ])
  })
})

describe("ValueParse.typed", () => {
  it("gives each name its type, chars when not listed, and refuses a key that is no name", () => {
    const typed = Effect.runSync(ValueParse.typed(["a", "b"], { b: "int" }, "p", "columns"))
    expect(typed.map((t) => t.type)).toEqual(["chars", "int"])
    expect(typed[1]!.parse("5")).toEqual(Option.getOrThrow(DataRecord.parseDigit("5")))
    const error = Effect.runSync(Effect.flip(ValueParse.typed(["a"], { "b c": "int" }, "p", "columns")))
    expect([error.path, error.detail, error.expected]).toEqual([`p.types["b c"]`, `"b c" is not one of the columns`, "one of: a"])
  })
})
