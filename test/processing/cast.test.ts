import { describe, expect, it } from "@effect/vitest"
import * as DataRecord from "../../src/model/record.js"
import * as Cast from "../../src/processing/cast.js"
import * as SourceEvent from "../../src/source/event.js"
import { buildError, failure, json, payloadEvent, single, step, triples } from "./parser-fixtures.js"

describe("cast", () => {
  it("converts text fields to int, float, bool, time, ip and chars, in place", () => {
    const cast = step(Cast.kind, {
      fields: { status: "int", took: "float", ok: "bool", at: "time", client: "ip", code: "chars", "http.bytes": "int" }
    })
    const out = cast(payloadEvent("raw", {
      client: "10.0.0.1",
      status: "503",
      took: "0.25",
      ok: "YES",
      at: "2024-11-28T12:00:00+01:00",
      code: 42,
      http: { bytes: "9007199254740993" }
    }))
    expect(json(out)).toBe(
      `{"client":"10.0.0.1","status":503,"took":0.25,"ok":true,"at":"2024-11-28T11:00:00.000Z","code":"42","http":{"bytes":9007199254740993}}`
    )
    expect(triples(out).map(([name, meta]) => `${name}:${meta}`)).toEqual([
      "client:ip",
      "status:digit",
      "took:float",
      "ok:bool",
      "at:time",
      "code:chars",
      "http:obj"
    ])
  })

  it("converts numbers and booleans through their text, keeps values of the type and Null, skips missing fields", () => {
    const cast = step(Cast.kind, { fields: { a: "float", b: "int", c: "bool", d: "int", e: "int", f: "chars", missing: "int" } })
    expect(json(cast(payloadEvent("", { a: 7, b: 3.0, c: 0, d: null, e: 5, f: true })))).toBe(`{"a":7.0,"b":3,"c":false,"d":null,"e":5,"f":"true"}`)
    const floats = SourceEvent.update(payloadEvent(""), {
      record: DataRecord.make([DataRecord.field("whole", DataRecord.float(3)), DataRecord.field("nan", DataRecord.float(Number.NaN))])
    })
    expect(json(step(Cast.kind, { fields: { whole: "int", nan: "float" } })(floats))).toBe(`{"whole":3,"nan":null}`)
    expect(failure(step(Cast.kind, { fields: { nan: "int" } })(floats)).detail).toBe(`cast: field "nan": "NaN" (float) is not int`)
    const same = payloadEvent("", { e: 5 })
    expect(single(step(Cast.kind, { fields: { e: "int" } })(same))).toBe(same)
  })

  it("fails with a ProcessorError (540) naming the field and the value", () => {
    const cases = [
      [{ status: "int" }, { status: "OK" }, `cast: field "status": "OK" (chars) is not int`],
      [{ status: "int" }, { status: 1.5 }, `cast: field "status": "1.5" (float) is not int`],
      [{ status: "int" }, { status: "9223372036854775808" }, `cast: field "status": "9223372036854775808" (chars) is not int`],
      [{ ok: "bool" }, { ok: "maybe" }, `cast: field "ok": "maybe" (chars) is not bool`],
      [{ at: "time" }, { at: "yesterday" }, `cast: field "at": "yesterday" (chars) is not time`],
      [{ ip: "ip" }, { ip: "300.1.1.1" }, `cast: field "ip": "300.1.1.1" (chars) is not ip`],
      [{ took: "float" }, { took: "1,5" }, `cast: field "took": "1,5" (chars) is not float`],
      [{ o: "chars" }, { o: { a: 1 } }, `cast: field "o": "{\\"a\\":1}" (obj) is not chars`]
    ] as const
    for (const [fields, record, detail] of cases) {
      const e = failure(step(Cast.kind, { fields })(payloadEvent("", record)))
      expect([e.code, e.detail]).toEqual([540, detail])
    }
  })

  it("needs a record", () => {
    expect(failure(step(Cast.kind, { fields: { a: "int" } })(payloadEvent("a=1"))).detail).toBe("no record: put a parser before cast")
  })

  it("refuses bad params with a ConfigError naming the key", () => {
    const type = buildError(Cast.kind, { fields: { status: "integer" } })
    expect([type.code, type.path]).toEqual([300, "processors[0].params.fields.status"])
    expect(buildError(Cast.kind, { fields: {} }).path).toBe("processors[0].params.fields")
    expect(buildError(Cast.kind, {}).path).toBe("processors[0].params.fields")
    const path = buildError(Cast.kind, { fields: { "a..b": "int" } })
    expect([path.path, path.detail]).toEqual([`processors[0].params.fields["a..b"]`, `field path "a..b" has an empty key`])
  })
})
