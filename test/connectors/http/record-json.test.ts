import { describe, expect, it } from "@effect/vitest"
import { Either, Option } from "effect"
import fc from "fast-check"
import * as Http from "../../../src/connectors/http/index.js"
import { DataRecord } from "../../../src/index.js"

const { field } = DataRecord

describe("RecordJson", () => {
  it("writes exactly what DataRecord.toJsonText writes, for every value kind", () => {
    const write = Http.RecordJson.writer()
    const records = [
      DataRecord.empty,
      DataRecord.make([
        field("i", Option.getOrThrow(DataRecord.digit(DataRecord.digitMax))),
        field("neg", Option.getOrThrow(DataRecord.digit(DataRecord.digitMin))),
        field("f", DataRecord.float(25)),
        field("g", DataRecord.float(-0)),
        field("h", DataRecord.float(1e21)),
        field("nan", DataRecord.float(Number.NaN)),
        field("inf", DataRecord.float(Number.NEGATIVE_INFINITY)),
        field("t", Option.getOrThrow(DataRecord.time("2026-11-28T12:00:00Z"))),
        field("ip", Option.getOrThrow(DataRecord.ipAddr("::1"))),
        field("s", DataRecord.chars("\"q\" \\ \n ü 😀 \u0001")),
        field("b", DataRecord.bool(false)),
        field("n", DataRecord.nil),
        field("o", DataRecord.obj({ "a b": DataRecord.array([DataRecord.nil, DataRecord.float(1)]), "": DataRecord.obj({}) })),
        field("s", DataRecord.chars("a repeated name is written again"))
      ])
    ]
    for (const r of records) expect(write(r)).toBe(DataRecord.toJsonText(r))
  })

  it("agrees with toJsonText on arbitrary JSON objects, with names it has seen and names it has not", () => {
    const write = Http.RecordJson.writer()
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (o) => {
        const record = Either.getOrThrow(DataRecord.fromJson(JSON.parse(JSON.stringify(o))))
        expect(write(record)).toBe(DataRecord.toJsonText(record))
      }),
      { numRuns: 500 }
    )
  })
})
