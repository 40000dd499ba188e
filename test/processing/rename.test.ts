import { describe, expect, it } from "@effect/vitest"
import * as DataRecord from "../../src/model/record.js"
import * as Rename from "../../src/processing/rename.js"
import * as SourceEvent from "../../src/source/event.js"
import { buildError, event, failure, json, single, step } from "./field-fixtures.js"

describe("rename", () => {
  it("renames top-level fields in place, keeping their meta", () => {
    const input = SourceEvent.update(event({}), {
      record: DataRecord.make([
        DataRecord.field("src", DataRecord.chars("10.0.0.1"), "ip-text"),
        DataRecord.field("msg", DataRecord.chars("hi"))
      ])
    })
    const out = single(step(Rename.kind, { fields: { src: "src_ip" } })(input))
    expect(out.record).toEqual({ fields: [DataRecord.field("src_ip", DataRecord.chars("10.0.0.1"), "ip-text"), DataRecord.field("msg", DataRecord.chars("hi"))] })
    expect([out.eventId, out.ackToken, out.payload]).toEqual([7, "token-7", "the payload"])
  })

  it("renames at once: a swap swaps, a chain does not cascade", () => {
    expect(json(step(Rename.kind, { fields: { a: "b", b: "a" } })(event({ a: 1, b: 2, c: 3 })))).toBe(`{"b":1,"a":2,"c":3}`)
    expect(json(step(Rename.kind, { fields: { a: "b", b: "c" } })(event({ a: 1, b: 2 })))).toBe(`{"b":1,"c":2}`)
  })

  it("replaces a field already named as the target, only when the source is there", () => {
    expect(json(step(Rename.kind, { fields: { a: "b" } })(event({ b: 0, a: 1, c: 3 })))).toBe(`{"b":1,"c":3}`)
    expect(json(step(Rename.kind, { fields: { x: "b" } })(event({ b: 0, a: 1 })))).toBe(`{"b":0,"a":1}`)
  })

  it("gives back the same event when no field to rename is there", () => {
    const input = event({ a: 1 })
    expect(step(Rename.kind, { fields: { x: "y" } })(input)).toBe(input)
    expect(step(Rename.kind, { fields: { "x.y": "z" } })(input)).toBe(input)
  })

  it("moves values along dotted paths, out of and into objects", () => {
    const s = step(Rename.kind, { fields: { "http.status": "status", "geo": "client.geo" } })
    expect(json(s(event({ http: { status: 503, path: "/" }, geo: { cc: "FR" } })))).toBe(
      `{"http":{"path":"/"},"status":503,"client":{"geo":{"cc":"FR"}}}`
    )
    expect(json(step(Rename.kind, { fields: { "k8s.pod": "pod" } })(event({ "k8s.pod": "p-1" })))).toBe(`{"pod":"p-1"}`)
  })

  it("fails where a new path runs into a value that is not an object", () => {
    const e = failure(step(Rename.kind, { fields: { a: "b.c" } })(event({ a: 1, b: "x" })))
    expect([e.code, e.detail]).toEqual([540, `cannot set "b.c": "b" is chars, not an object`])
  })

  it("fails on an event without a record", () => {
    expect(failure(step(Rename.kind, { fields: { a: "b" } })(event(undefined))).detail).toBe("no record: put a parser before rename")
  })

  it("refuses bad params with a ConfigError naming the key", () => {
    const cases: ReadonlyArray<readonly [unknown, string, string]> = [
      [{ fields: { a: "b" }, field: 1 }, "processors[0].params.field", `unknown key`],
      [{ fields: { a: 1 } }, "processors[0].params.fields.a", ""],
      [{ fields: {} }, "processors[0].params.fields", "no fields to rename"],
      [{ fields: { a: "" } }, "processors[0].params.fields.a", "empty field name"],
      [{ fields: { "a.": "b" } }, `processors[0].params.fields["a."]`, `field path "a." has an empty key`],
      [{ fields: { a: "x", b: "x" } }, "processors[0].params.fields.b", `"a" and "b" are both renamed to "x"`]
    ]
    for (const [params, path, detail] of cases) {
      const e = buildError(Rename.kind, params as never)
      expect([e._tag, e.code, e.path]).toEqual(["ConfigError", 300, path])
      expect(e.detail).toContain(detail)
    }
  })
})
