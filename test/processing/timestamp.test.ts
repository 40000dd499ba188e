import { describe, expect, it } from "@effect/vitest"
import * as Timestamp from "../../src/processing/timestamp.js"
import { buildError, failure, json, payloadEvent, single, step, triples } from "./parser-fixtures.js"

describe("timestamp", () => {
  it("reads a field in a strftime-like format into a UTC Time, in place", () => {
    const nginx = step(Timestamp.kind, { field: "time_local", format: "%d/%b/%Y:%H:%M:%S %z" })
    const out = nginx(payloadEvent("raw", { ip: "::1", time_local: "10/Oct/2000:13:55:36 -0700" }))
    expect(triples(out)).toEqual([["ip", "chars", "::1"], ["time_local", "time", "2000-10-10T20:55:36.000Z"]])
    expect(single(out).payload).toBe("raw")
  })

  it("writes into target when given, keeping the field it read", () => {
    const rfc = step(Timestamp.kind, { field: "ts", format: "rfc3339", target: "meta.at" })
    expect(json(rfc(payloadEvent("raw", { ts: "2024-11-28T12:00:00.5+01:00", meta: { src: "a" } })))).toBe(
      `{"ts":"2024-11-28T12:00:00.5+01:00","meta":{"src":"a","at":"2024-11-28T11:00:00.500Z"}}`
    )
  })

  it("reads unix and unix_ms from numbers and from text", () => {
    const unix = step(Timestamp.kind, { field: "t", format: "unix" })
    expect(json(unix(payloadEvent("", { t: 1732795200 })))).toBe(`{"t":"2024-11-28T12:00:00.000Z"}`)
    expect(json(unix(payloadEvent("", { t: 1732795200.25 })))).toBe(`{"t":"2024-11-28T12:00:00.250Z"}`)
    expect(json(unix(payloadEvent("", { t: "1732795200" })))).toBe(`{"t":"2024-11-28T12:00:00.000Z"}`)
    const ms = step(Timestamp.kind, { field: "t", format: "unix_ms" })
    expect(json(ms(payloadEvent("", { t: 1732795200123 })))).toBe(`{"t":"2024-11-28T12:00:00.123Z"}`)
  })

  it("reads rfc3164 times in the current year", () => {
    const bsd = step(Timestamp.kind, { field: "t", format: "rfc3164" })
    const before = new Date().getUTCFullYear()
    const out = json(bsd(payloadEvent("", { t: `${["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][new Date().getUTCMonth()]!}  1 00:00:00` })))
    const after = new Date().getUTCFullYear()
    expect([before, after].map((y) => out.startsWith(`{"t":"${y}-`))).toContain(true)
  })

  it("fails with a ProcessorError (540) naming the field: missing, not text, or not in the format", () => {
    const read = step(Timestamp.kind, { field: "at", format: "%Y-%m-%d" })
    const cases = [
      [{ other: 1 }, `timestamp: no field "at"`],
      [{ at: 20241128 }, `timestamp: field "at" holds digit, not text`],
      [{ at: "28/11/2024" }, `timestamp: field "at": "28/11/2024" is not a time in format "%Y-%m-%d"`],
      [{ at: "2024-02-30" }, `timestamp: field "at": "2024-02-30" is not a time in format "%Y-%m-%d"`]
    ] as const
    for (const [fields, detail] of cases) {
      const e = failure(read(payloadEvent("", fields)))
      expect([e.code, e.detail]).toEqual([540, detail])
    }
    expect(failure(step(Timestamp.kind, { field: "t", format: "unix" })(payloadEvent("", { t: true }))).detail).toBe(
      `timestamp: field "t" holds bool, not text or a number`
    )
    expect(failure(read(payloadEvent("2024-11-28"))).detail).toBe("no record: put a parser before timestamp")
  })

  it("refuses a format it cannot use and bad field paths with a ConfigError at the key", () => {
    const bad = buildError(Timestamp.kind, { field: "t", format: "%d/%Q" })
    expect([bad.code, bad.path, bad.detail]).toEqual([300, "processors[0].params.format", "unknown directive %Q"])
    expect(buildError(Timestamp.kind, { field: "t", format: "epoch" }).path).toBe("processors[0].params.format")
    expect(buildError(Timestamp.kind, { field: "t" }).path).toBe("processors[0].params.format")
    expect(buildError(Timestamp.kind, { field: "a..b", format: "unix" }).path).toBe("processors[0].params.field")
    expect(buildError(Timestamp.kind, { field: "t", format: "unix", target: "x." }).path).toBe("processors[0].params.target")
    expect(buildError(Timestamp.kind, { field: "t", format: "unix", tz: "UTC" }).detail).toBe(`unknown key "tz"`)
  })
})
