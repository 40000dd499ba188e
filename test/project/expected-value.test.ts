/**
 * `ExpectedValue`: how a pipeline test writes a field's value in TOML, and how it is compared with the
 * `Value` a processor made (by kind, then by value; objects and arrays entry by entry).
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, Option } from "effect"
import { parse } from "smol-toml"
import { DataRecord } from "../../src/index.js"
import * as ExpectedValue from "../../src/project/expected-value.js"

/** The expected value `v` of the TOML text `v = ...`, as `wpc test` reads it. */
const expected = (text: string): ExpectedValue.ExpectedValue =>
  Either.getOrThrow(ExpectedValue.decode(parse(`v = ${text}`, { integersAsBigInt: true })["v"], ["v"]))

const problems = (text: string) =>
  Either.match(ExpectedValue.decode(parse(`v = ${text}`, { integersAsBigInt: true })["v"], ["v"]), {
    onLeft: (ps) => ps.map((p) => [p.segments.join("."), p.detail]),
    onRight: () => []
  })

/** The differences of comparing `text` with `actual`. */
const diff = (text: string, actual: DataRecord.Value) => {
  const out: Array<ExpectedValue.Difference> = []
  ExpectedValue.compare(expected(text), actual, "v", out)
  return out.map((d) => `${d.at}: ${d.expected} / ${d.actual}`)
}

const digit = (n: number) => Option.getOrThrow(DataRecord.digit(n))
const ip = (text: string) => Option.getOrThrow(DataRecord.ipAddr(text))
const time = (text: string) => Option.getOrThrow(DataRecord.time(text))

describe("ExpectedValue", () => {
  it("the TOML type is the kind: an integer is no float, a string no address, a date-time an instant", () => {
    expect(diff("200", digit(200))).toEqual([])
    expect(diff("200", DataRecord.float(200))).toEqual(["v: 200 (digit) / 200.0 (float)"])
    expect(diff("200.0", DataRecord.float(200))).toEqual([])
    expect(diff("nan", DataRecord.float(Number.NaN))).toEqual([])
    expect(diff("-inf", DataRecord.float(-Infinity))).toEqual([])
    expect(diff("\"200\"", digit(200))).toEqual(["v: \"200\" (chars) / 200 (digit)"])
    expect(diff("\"10.0.0.5\"", ip("10.0.0.5"))).toEqual(["v: \"10.0.0.5\" (chars) / 10.0.0.5 (ip)"])
    expect(diff("{ ip = \"10.0.0.5\" }", ip("10.0.0.5"))).toEqual([])
    expect(diff("2024-10-10T15:55:36+02:00", time("2024-10-10T13:55:36.000Z"))).toEqual([])
    expect(diff("2024-10-10T13:55:36Z", time("2024-10-10T13:55:37.000Z"))).toEqual(["v: 2024-10-10T13:55:36.000Z (time) / 2024-10-10T13:55:37.000Z (time)"])
    // { time = "..." } is the exact text, not the instant
    expect(diff("{ time = \"2024-10-10T13:55:36Z\" }", time("2024-10-10T13:55:36.000Z"))).toEqual([
      "v: 2024-10-10T13:55:36Z (time) / 2024-10-10T13:55:36.000Z (time)"
    ])
    expect(diff("{ null = true }", DataRecord.nil)).toEqual([])
    expect(diff("false", DataRecord.nil)).toEqual(["v: false (bool) / null"])
  })

  it("objects and arrays are compared entry by entry; a one-key typed table is told from an object by { obj = ... }", () => {
    const actual = DataRecord.obj({ a: digit(1), b: DataRecord.array([digit(1), DataRecord.chars("x")]) })
    expect(diff("{ b = [1, \"x\"], a = 1 }", actual)).toEqual([])
    expect(diff("{ a = 2, c = true }", actual)).toEqual([
      "v.a: 2 (digit) / 1 (digit)",
      "v.c: true (bool) / (no such field)",
      "v.b: (no such field) / [1,\"x\"] (array)"
    ])
    expect(diff("{ a = 1, b = [1, \"y\"] }", actual)).toEqual(["v.b[1]: \"y\" (chars) / \"x\" (chars)"])
    expect(diff("{ a = 1, b = [1] }", actual)).toEqual(["v.b: [1] (array) / [1,\"x\"] (array)"])
    const single = DataRecord.obj({ ip: DataRecord.chars("10.0.0.5") })
    expect(diff("{ ip = \"10.0.0.5\" }", single)).toEqual(["v: 10.0.0.5 (ip) / {\"ip\":\"10.0.0.5\"} (obj)"])
    expect(diff("{ obj = { ip = \"10.0.0.5\" } }", single)).toEqual([])
  })

  it("a record's fields: exact (every field, a repeated name too) or some of them", () => {
    const fields = [["a", digit(1)], ["b", DataRecord.chars("x")], ["a", digit(2)]] as const
    const out: Array<ExpectedValue.Difference> = []
    ExpectedValue.compareEntries([["a", expected("1")]], fields, "record", false, out)
    expect(out).toEqual([])
    ExpectedValue.compareEntries([["a", expected("1")]], fields, "record", true, out)
    expect(out.map((d) => `${d.at}: ${d.expected} / ${d.actual}`)).toEqual([
      "record.b: (no such field) / \"x\" (chars)",
      "record.a: (the name once) / repeated: 2 (digit)"
    ])
  })

  it("what cannot be a value is a problem at its key: a time without offset, a bad address, { null = 1 }", () => {
    expect(problems("2024-10-10T13:55:36")).toEqual([["v", "2024-10-10T13:55:36.000 has no time zone offset"]])
    expect(problems("2024-10-10")).toEqual([["v", "2024-10-10 has no time zone offset"]])
    expect(problems("[1, { ip = \"nope\" }, { null = 1 }]")).toEqual([["v.1.ip", "invalid value \"nope\""], ["v.2.null", "invalid value 1"]])
    expect(problems("{ time = 5 }")).toEqual([["v.time", "invalid value 5"]])
  })
})
