import { describe, expect, it } from "@effect/vitest"
import * as Tag from "../../src/processing/tag.js"
import { buildError, event, failure, json, single, step } from "./field-fixtures.js"

describe("tag", () => {
  it("copies the text of fields into tags, and keeps the record and the other tags", () => {
    const s = step(Tag.kind, { fields: { status: "http_status", "http.method": "method", ratio: "ratio", geo: "geo", ok: "ok", gone: "gone" } })
    const out = single(s(event({ status: 503, http: { method: "GET" }, ratio: 0.5, geo: { cc: "FR" }, ok: null }, { zone: "eu" })))
    expect([...out.tags]).toEqual([
      ["geo", `{"cc":"FR"}`],
      ["http_status", "503"],
      ["method", "GET"],
      ["ok", "null"],
      ["ratio", "0.5"],
      ["zone", "eu"]
    ])
    expect(json(out)).toBe(`{"status":503,"http":{"method":"GET"},"ratio":0.5,"geo":{"cc":"FR"},"ok":null}`)
    expect([out.eventId, out.ackToken, out.payload]).toEqual([7, "token-7", "the payload"])
  })

  it("leaves the tag as it was when the field is missing, and replaces it when the field is there", () => {
    const s = step(Tag.kind, { fields: { env: "env" } })
    expect([...single(s(event({}, { env: "from-source" }))).tags]).toEqual([["env", "from-source"]])
    expect([...single(s(event({}))).tags]).toEqual([])
    expect([...single(s(event({ env: "prod" }, { env: "from-source" }))).tags]).toEqual([["env", "prod"]])
  })

  it("gives back the same event when no tag changes", () => {
    const input = event({ env: "prod" }, { env: "prod" })
    expect(step(Tag.kind, { fields: { env: "env", gone: "x" } })(input)).toBe(input)
  })

  it("fails on an event without a record", () => {
    expect(failure(step(Tag.kind, { fields: { a: "b" } })(event(undefined))).detail).toBe("no record: put a parser before tag")
  })

  it("refuses bad params with a ConfigError naming the key", () => {
    const cases: ReadonlyArray<readonly [unknown, string, string]> = [
      [{ fields: { a: "b" }, tags: {} }, "processors[0].params.tags", "unknown key"],
      [{ fields: {} }, "processors[0].params.fields", "no fields to tag"],
      [{ fields: { a: "" } }, "processors[0].params.fields.a", ""],
      [{ fields: { a: 1 } }, "processors[0].params.fields.a", ""],
      [{ fields: { "a..b": "x" } }, `processors[0].params.fields["a..b"]`, `field path "a..b" has an empty key`]
    ]
    for (const [params, path, detail] of cases) {
      const e = buildError(Tag.kind, params as never)
      expect([e._tag, e.code, e.path]).toEqual(["ConfigError", 300, path])
      expect(e.message).toContain(detail)
    }
  })
})
