import { describe, expect, it } from "@effect/vitest"
import { Option } from "effect"
import * as DataRecord from "../../src/model/record.js"

describe("DataRecord.text", () => {
  it("writes each kind of value as a tag or a template shows it", () => {
    const some = Option.getOrThrow
    const cases: ReadonlyArray<readonly [DataRecord.Value, string]> = [
      [DataRecord.chars("a b \"q\""), `a b "q"`],
      [some(DataRecord.time("2024-01-02T03:04:05Z")), "2024-01-02T03:04:05Z"],
      [some(DataRecord.ipAddr("::1")), "::1"],
      [some(DataRecord.digit(9223372036854775807n)), "9223372036854775807"],
      [DataRecord.float(1), "1.0"],
      [DataRecord.float(0.25), "0.25"],
      [DataRecord.float(Number.NaN), "NaN"],
      [DataRecord.float(-Infinity), "-Infinity"],
      [DataRecord.bool(false), "false"],
      [DataRecord.nil, "null"],
      [DataRecord.obj({ a: DataRecord.chars("x"), b: DataRecord.array([DataRecord.nil]) }), `{"a":"x","b":[null]}`]
    ]
    for (const [value, text] of cases) expect([value._tag, DataRecord.text(value)]).toEqual([value._tag, text])
  })
})
