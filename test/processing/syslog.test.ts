import { describe, expect, it } from "@effect/vitest"
import * as Syslog from "../../src/processing/syslog.js"
import { build, buildError, failure, json, payloadEvent, step, triples } from "./parser-fixtures.js"

const syslog = step(Syslog.kind, {})

describe("syslog", () => {
  it("reads an RFC 3164 line: PRI parts, timestamp in the current year (UTC), host, TAG, PID and MSG", () => {
    const before = new Date().getUTCFullYear()
    const out = syslog(payloadEvent(`<134>${["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][new Date().getUTCMonth()]!}  1 12:00:00 web-3 nginx[4242]: GET /api/v1/items/123 200 512`))
    const after = new Date().getUTCFullYear()
    const fields = triples(out)
    expect(fields.map(([name, meta]) => `${name}:${meta}`)).toEqual([
      "pri:digit",
      "facility:digit",
      "severity:digit",
      "timestamp:time",
      "host:chars",
      "app:chars",
      "procid:chars",
      "msg:chars"
    ])
    expect(fields.filter(([name]) => name !== "timestamp")).toEqual([
      ["pri", "digit", 134n],
      ["facility", "digit", 16n],
      ["severity", "digit", 6n],
      ["host", "chars", "web-3"],
      ["app", "chars", "nginx"],
      ["procid", "chars", "4242"],
      ["msg", "chars", "GET /api/v1/items/123 200 512"]
    ])
    const month = String(new Date().getUTCMonth() + 1).padStart(2, "0")
    expect([before, after].map((y) => `${y}-${month}-01T12:00:00.000Z`)).toContain(fields[3]![2])
  })

  it("reads RFC 3164 without a host or a PID, and with an RFC 3339 timestamp", () => {
    expect(json(syslog(payloadEvent("<13>2024-11-28T12:00:00+01:00 cron: job done")))).toBe(
      `{"pri":13,"facility":1,"severity":5,"timestamp":"2024-11-28T11:00:00.000Z","app":"cron","msg":"job done"}`
    )
  })

  it("reads RFC 5424: version, UTC timestamp, NILVALUEs left out, structured data as objects, MSG after its BOM", () => {
    const text = `<165>1 2003-10-11T22:14:15.003-07:00 mymachine.example.com evntslog - ID47 ` +
      `[exampleSDID@32473 iut="3" eventSource="Application"][x@1 q="a \\"b\\" \\\\ c\\]d" empty=""] \uFEFFAn application event`
    expect(json(syslog(payloadEvent(text)))).toBe(
      `{"pri":165,"facility":20,"severity":5,"version":1,"timestamp":"2003-10-12T05:14:15.003Z","host":"mymachine.example.com",` +
        `"app":"evntslog","msgid":"ID47","structured_data":{"exampleSDID@32473":{"iut":"3","eventSource":"Application"},` +
        `"x@1":{"q":"a \\"b\\" \\\\ c]d","empty":""}},"msg":"An application event"}`
    )
    expect(json(syslog(payloadEvent("<14>1 - - - - - -")))).toBe(`{"pri":14,"facility":1,"severity":6,"version":1,"msg":""}`)
  })

  it("structured data whose SD-IDs or param names start with a digit keeps them in their order; the JSON is what the fields give", () => {
    const text = `<165>1 2003-10-11T22:14:15Z h app - - [b 2="x" 1="y"][9@1 a="z"][b c="w"] m`
    const record = syslog(payloadEvent(text))
    const fields = triples(record)
    expect(fields.map(([name]) => name)).toEqual(["pri", "facility", "severity", "version", "timestamp", "host", "app", "structured_data", "msg"])
    // a repeated SD-ID keeps its first place and takes its last params
    expect(json(record)).toBe(
      `{"pri":165,"facility":20,"severity":5,"version":1,"timestamp":"2003-10-11T22:14:15.000Z","host":"h","app":"app",` +
        `"structured_data":{"b":{"c":"w"},"9@1":{"a":"z"}},"msg":"m"}`
    )
    // param names "2" and "1" stay in the order written (a plain object would put "1" first)
    const ordered = syslog(payloadEvent(`<165>1 2003-10-11T22:14:15Z h app - - [x 2="x" 1="y"] m`))
    expect(json(ordered)).toBe(
      `{"pri":165,"facility":20,"severity":5,"version":1,"timestamp":"2003-10-11T22:14:15.000Z","host":"h","app":"app",` +
        `"structured_data":{"x":{"2":"x","1":"y"}},"msg":"m"}`
    )
  })

  it("reads a bytes payload as UTF-8", () => {
    const out = syslog(payloadEvent(new TextEncoder().encode("<14>1 2024-11-28T12:00:00Z h app 7 - - café")))
    expect(json(out)).toBe(`{"pri":14,"facility":1,"severity":6,"version":1,"timestamp":"2024-11-28T12:00:00.000Z","host":"h","app":"app","procid":"7","msg":"café"}`)
  })

  it("fails with a ProcessorError (540) on text that is not syslog, a broken SD param, or a date that does not exist", () => {
    const none = failure(syslog(payloadEvent("plain text line")))
    expect([none.code, none.detail]).toEqual([540, `syslog: not an RFC 5424 or RFC 3164 message: "plain text line"`])
    expect(failure(syslog(payloadEvent(`<300>1 - - - - - - x`))).detail).toBe(`syslog: not an RFC 5424 or RFC 3164 message: "<300>1 - - - - - - x"`)
    const sd = failure(syslog(payloadEvent(`<14>1 - h a - - [id novalue] msg`)))
    expect(sd.detail).toBe(`syslog: bad STRUCTURED-DATA at offset 3: expected name="value" in "[id novalue]"`)
    const date = failure(syslog(payloadEvent("<14>Feb 30 12:00:00 host app: x")))
    expect(date.detail).toBe(`syslog: bad timestamp "Feb 30 12:00:00"`)
  })

  it("with field: reads that field and adds the header fields to the record", () => {
    const read = step(Syslog.kind, { field: "line" })
    expect(json(read(payloadEvent("raw", { src: "udp", line: "<14>1 - h app - - - hi" })))).toBe(
      `{"src":"udp","line":"<14>1 - h app - - - hi","pri":14,"facility":1,"severity":6,"version":1,"host":"h","app":"app","msg":"hi"}`
    )
  })

  it("declares every field it may make, and refuses unknown params", () => {
    const p = build(Syslog.kind, {})
    expect(p._tag === "Right" ? p.right.fields?.join(" ") : undefined).toBe(
      "pri facility severity version timestamp host app procid msgid structured_data msg"
    )
    const unknown = buildError(Syslog.kind, { format: "rfc5424" })
    expect([unknown.code, unknown.path, unknown.detail]).toEqual([300, "processors[0].params.format", `unknown key "format"`])
  })
})
