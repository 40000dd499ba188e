import { describe, expect, it } from "@effect/vitest"
import * as Regex from "../../src/processing/regex.js"
import { build, buildError, failure, json, payloadEvent, step, triples } from "./parser-fixtures.js"

const pattern = String.raw`^(?<client>\S+) (?<at>\S+) "(?<method>[A-Z]+) (?<path>\S+)" (?<status>\d+) (?<took>[\d.]+) (?<ok>\w+)(?: (?<note>.+))?$`
const types = { client: "ip", at: "time", status: "int", took: "float", ok: "bool" }
const access = step(Regex.kind, { pattern, types })

describe("regex", () => {
  it("makes a field of each named group, in the pattern's order, typed by types (chars by default)", () => {
    const out = access(payloadEvent(`2001:db8::1 2024-11-28T12:00:00+01:00 "GET /a?b=1" 503 0.25 yes slow`))
    expect(triples(out)).toEqual([
      ["client", "ip", "2001:db8::1"],
      ["at", "time", "2024-11-28T11:00:00.000Z"],
      ["method", "chars", "GET"],
      ["path", "chars", "/a?b=1"],
      ["status", "digit", 503n],
      ["took", "float", 0.25],
      ["ok", "bool", true],
      ["note", "chars", "slow"]
    ])
  })

  it("gives Null for a group that took no part in the match", () => {
    const out = access(payloadEvent(`10.0.0.1 2024-11-28T12:00:00Z "PUT /x" 200 1 false`))
    expect(json(out)).toBe(`{"client":"10.0.0.1","at":"2024-11-28T12:00:00.000Z","method":"PUT","path":"/x","status":200,"took":1.0,"ok":false,"note":null}`)
  })

  it("fails with a ProcessorError (540) on no match, and on a group whose text is not of its type", () => {
    const none = failure(access(payloadEvent("not an access line")))
    expect([none._tag, none.code, none.detail]).toEqual(["ProcessorError", 540, `regex: no match for "not an access line"`])
    const long = failure(access(payloadEvent("x".repeat(500))))
    expect(long.detail).toBe(`regex: no match for "${"x".repeat(120)}..."`)
    const badIp = failure(access(payloadEvent(`web-1 2024-11-28T12:00:00Z "GET /" 200 1 true`)))
    expect(badIp.detail).toBe(`regex: group "client": "web-1" is not ip`)
    const badTime = failure(access(payloadEvent(`::1 yesterday "GET /" 200 1 true`)))
    expect(badTime.detail).toBe(`regex: group "at": "yesterday" is not time`)
    const badInt = failure(access(payloadEvent(`::1 2024-11-28T12:00:00Z "GET /" 99999999999999999999 1 true`)))
    expect(badInt.detail).toBe(`regex: group "status": "99999999999999999999" is not int`)
    const badBool = failure(access(payloadEvent(`::1 2024-11-28T12:00:00Z "GET /" 200 1 maybe`)))
    expect(badBool.detail).toBe(`regex: group "ok": "maybe" is not bool`)
  })

  it("takes flags, and reads a field instead of the payload", () => {
    const caseless = step(Regex.kind, { pattern: "^level=(?<level>[a-z]+)$", flags: "i", field: "line" })
    expect(triples(caseless(payloadEvent("raw", { line: "LEVEL=WARN" })))).toEqual([["line", "chars", "LEVEL=WARN"], ["level", "chars", "WARN"]])
  })

  it("declares its group names as the fields it makes", () => {
    const p = build(Regex.kind, { pattern, types })
    expect(p._tag === "Right" ? p.right.fields : undefined).toEqual(["client", "at", "method", "path", "status", "took", "ok", "note"])
  })

  it("refuses a pattern that does not compile or has no named group, with a ConfigError at params.pattern", () => {
    const broken = buildError(Regex.kind, { pattern: "(?<a>x" })
    expect([broken.code, broken.path]).toEqual([300, "processors[0].params.pattern"])
    expect(broken.detail).toMatch(/Invalid regular expression/)
    const unnamed = buildError(Regex.kind, { pattern: "^(\\d+)$" })
    expect([unnamed.path, unnamed.detail]).toEqual(["processors[0].params.pattern", "the pattern has no named group"])
    expect(buildError(Regex.kind, {}).path).toBe("processors[0].params.pattern")
  })

  it("refuses types for names that are no group, bad type names, bad flags and unknown keys", () => {
    const stray = buildError(Regex.kind, { pattern, types: { code: "int" } })
    expect([stray.path, stray.detail]).toEqual(["processors[0].params.types.code", `"code" is not one of the named groups of the pattern`])
    expect(buildError(Regex.kind, { pattern, types: { status: "number" } }).path).toBe("processors[0].params.types.status")
    expect(buildError(Regex.kind, { pattern, flags: "g" }).path).toBe("processors[0].params.flags")
    const unknown = buildError(Regex.kind, { pattern, typse: {} })
    expect([unknown.path, unknown.suggestion]).toEqual(["processors[0].params.typse", `did you mean "types"?`])
  })
})
