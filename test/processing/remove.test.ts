import { describe, expect, it } from "@effect/vitest"
import * as Remove from "../../src/processing/remove.js"
import { buildError, event, failure, json, single, step } from "./field-fixtures.js"

describe("remove", () => {
  it("removes top-level fields, every field of each name, keeping the rest in order", () => {
    const out = single(step(Remove.kind, { fields: ["password", "token"] })(event({ user: "u", password: "p", id: 1, token: "t" })))
    expect(json(out)).toBe(`{"user":"u","id":1}`)
    expect([out.eventId, out.ackToken]).toEqual([7, "token-7"])
  })

  it("removes keys inside objects by dotted path", () => {
    const s = step(Remove.kind, { fields: ["http.headers.cookie", "k8s.pod"] })
    expect(json(s(event({ http: { headers: { cookie: "c", host: "h" } }, "k8s.pod": "p", k8s: { pod: "q" } })))).toBe(
      `{"http":{"headers":{"host":"h"}},"k8s":{"pod":"q"}}`
    )
  })

  it("gives back the same event when none of the fields is there", () => {
    const input = event({ a: 1, b: { c: 2 } })
    expect(step(Remove.kind, { fields: ["x", "y"] })(input)).toBe(input)
    expect(step(Remove.kind, { fields: ["b.x", "a.c"] })(input)).toBe(input)
  })

  it("fails on an event without a record", () => {
    expect(failure(step(Remove.kind, { fields: ["a"] })(event(undefined))).detail).toBe("no record: put a parser before remove")
  })

  it("refuses bad params with a ConfigError naming the entry", () => {
    const cases: ReadonlyArray<readonly [unknown, string, string]> = [
      [{ fields: ["a"], fileds: [] }, "processors[0].params.fileds", `did you mean "fields"?`],
      [{ fields: [] }, "processors[0].params.fields", "empty list: name at least one field"],
      [{ fields: "a" }, "processors[0].params.fields", ""],
      [{ fields: ["a", ""] }, "processors[0].params.fields[1]", "empty field name"],
      [{ fields: ["a", "b..c"] }, "processors[0].params.fields[1]", `field path "b..c" has an empty key`]
    ]
    for (const [params, path, detail] of cases) {
      const e = buildError(Remove.kind, params as never)
      expect([e._tag, e.code, e.path]).toEqual(["ConfigError", 300, path])
      expect(e.message).toContain(detail)
    }
  })
})
