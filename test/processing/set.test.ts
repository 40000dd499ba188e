import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as Set from "../../src/processing/set.js"
import { build, buildError, event, failure, json, single, step } from "./field-fixtures.js"

describe("set", () => {
  it("sets constants typed as written: string, integer, fraction, boolean, table, array", () => {
    const out = step(Set.kind, { fields: { env: "prod", port: 514, ratio: 0.5, on: true, geo: { cc: "FR" }, list: [1, "a"] } })(event({ msg: "hi" }))
    // Params come sorted by key.
    expect(json(out)).toBe(`{"msg":"hi","env":"prod","geo":{"cc":"FR"},"list":[1,"a"],"on":true,"port":514,"ratio":0.5}`)
    expect(single(out).record!.fields.map((f) => f.meta)).toEqual(["chars", "chars", "obj", "array", "bool", "digit", "float"])
  })

  it("replaces a field in place and keeps the event's id, payload, tags and ack token", () => {
    const input = event({ a: 1, env: "dev", b: 2 }, { zone: "eu" })
    const out = single(step(Set.kind, { fields: { env: "prod" } })(input))
    expect(json(out)).toBe(`{"a":1,"env":"prod","b":2}`)
    expect([out.eventId, out.srcKey, out.payload, [...out.tags], out.ackToken]).toEqual([7, "src", "the payload", [["zone", "eu"]], "token-7"])
    expect(json(input)).toBe(`{"a":1,"env":"dev","b":2}`)
  })

  it("sets dotted paths into objects, creating them", () => {
    const out = step(Set.kind, { fields: { "http.version": "1.1", "geo.city.name": "Paris" } })(event({ http: { status: 200 } }))
    expect(json(out)).toBe(`{"http":{"status":200,"version":"1.1"},"geo":{"city":{"name":"Paris"}}}`)
  })

  it("fills templates from the record as it came, with each value's text", () => {
    const s = step(Set.kind, { fields: { id: "${host}:${port}", host: "rewritten", label: "${http.status}/${ok}/${ratio}", cost: "$$5 for ${host}" } })
    expect(json(s(event({ host: "web-1", port: 8080, http: { status: 503 }, ok: false, ratio: 1.0 })))).toBe(
      `{"host":"rewritten","port":8080,"http":{"status":503},"ok":false,"ratio":1,"cost":"$5 for web-1","id":"web-1:8080","label":"503/false/1"}`
    )
  })

  it("fails with a ProcessorError (540) when a template's field is missing", () => {
    const e = failure(step(Set.kind, { fields: { id: "${host}:${port}" } })(event({ host: "web-1" })))
    expect([e.code, e.reason, e.detail]).toEqual([540, "Process", `set: no field "port" for template "\${host}:\${port}"`])
  })

  it("fails where a path runs into a value that is not an object", () => {
    const e = failure(step(Set.kind, { fields: { "host.name": "x" } })(event({ host: "web-1" })))
    expect(e.detail).toBe(`cannot set "host.name": "host" is chars, not an object`)
  })

  it("fails on an event without a record", () => {
    expect(failure(step(Set.kind, { fields: { a: 1 } })(event(undefined))).detail).toBe("no record: put a parser before set")
  })

  it("refuses bad params with a ConfigError naming the key", () => {
    const cases: ReadonlyArray<readonly [unknown, string, string]> = [
      [{ fields: { a: 1 }, extra: 1 }, "processors[0].params.extra", "unknown key"],
      [{}, "processors[0].params.fields", "missing"],
      [{ fields: "a" }, "processors[0].params.fields", ""],
      [{ fields: {} }, "processors[0].params.fields", "no fields to set"],
      [{ fields: { "a..b": 1 } }, `processors[0].params.fields["a..b"]`, `field path "a..b" has an empty key`],
      [{ fields: { a: "${b" } }, "processors[0].params.fields.a", `unclosed "\${" at offset 0 in template "\${b"`],
      [{ fields: { a: "x${}" } }, "processors[0].params.fields.a", `empty field name in template "x\${}"`]
    ]
    for (const [params, path, detail] of cases) {
      const e = buildError(Set.kind, params as never)
      expect([e._tag, e.code, e.path]).toEqual(["ConfigError", 300, path])
      expect(e.message.toLowerCase()).toContain(detail.toLowerCase())
    }
    expect(Either.isRight(build(Set.kind, { fields: { a: "no template: $ alone, $x" } }))).toBe(true)
  })

  it("writes a literal $ as given when no reference follows it", () => {
    expect(json(step(Set.kind, { fields: { a: "costs $5, $x" } })(event({})))).toBe(`{"a":"costs $5, $x"}`)
  })
})
