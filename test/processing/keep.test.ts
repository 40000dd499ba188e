import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import * as Keep from "../../src/processing/keep.js"
import { build, buildError, event, failure, json, single, step } from "./field-fixtures.js"

describe("keep", () => {
  it("keeps only the listed top-level fields, in the record's order", () => {
    const out = single(step(Keep.kind, { fields: ["status", "ts", "absent"] })(event({ ts: "t", host: "h", status: 200, msg: "m" })))
    expect(json(out)).toBe(`{"ts":"t","status":200}`)
    expect([out.eventId, out.ackToken, out.payload]).toEqual([7, "token-7", "the payload"])
  })

  it("keeps an object with only the listed keys for a dotted path, after the top-level fields", () => {
    const s = step(Keep.kind, { fields: ["http.status", "geo", "geo.cc", "http.req.method", "k8s.pod", "ts"] })
    expect(json(s(event({ http: { status: 503, req: { method: "GET", path: "/" }, size: 1 }, ts: "t", geo: { cc: "FR", city: "P" }, "k8s.pod": "p", k8s: { pod: "q" } })))).toBe(
      `{"ts":"t","geo":{"cc":"FR","city":"P"},"k8s.pod":"p","http":{"status":503,"req":{"method":"GET"}}}`
    )
  })

  it("gives back the same event when every field is listed", () => {
    const input = event({ a: 1, b: 2 })
    expect(step(Keep.kind, { fields: ["b", "a", "c.d"] })(input)).toBe(input)
  })

  it("declares the list as the fields it produces, for filter checks", () => {
    const p = Either.getOrThrow(build(Keep.kind, { fields: ["ts", "http.status"] }))
    expect(p.fields).toEqual(["ts", "http.status"])
    expect([p.name, p.kind, p.onError]).toEqual(["my_keep", "keep", "rescue"])
  })

  it("fails on an event without a record", () => {
    expect(failure(step(Keep.kind, { fields: ["a"] })(event(undefined))).detail).toBe("no record: put a parser before keep")
  })

  it("refuses bad params with a ConfigError naming the entry", () => {
    const cases: ReadonlyArray<readonly [unknown, string, string]> = [
      [{ fields: ["a"], extra: true }, "processors[0].params.extra", "unknown key"],
      [{ fields: [] }, "processors[0].params.fields", "empty list: name at least one field"],
      [{ fields: [".a"] }, "processors[0].params.fields[0]", `field path ".a" has an empty key`]
    ]
    for (const [params, path, detail] of cases) {
      const e = buildError(Keep.kind, params as never)
      expect([e._tag, e.code, e.path]).toEqual(["ConfigError", 300, path])
      expect(e.message).toContain(detail)
    }
  })
})
