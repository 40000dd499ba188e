import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import * as Syslog from "../../../src/connectors/syslog/index.js"
import { ByteBuilder, DataRecord, ParamMap } from "../../../src/index.js"
import { countFrames } from "../../../src/connectors/tcp/framing.js"

const encoder = (params: ParamMap.ParamMap) =>
  Effect.map(ParamMap.decodeParams(Syslog.SinkParams, params), (p) => Syslog.SyslogEncoder.make(p, "box"))

/** 2026-11-28T12:00:00.000Z. */
const at = Date.UTC(2026, 10, 28, 12)

describe("syslog encoder", () => {
  it.effect("RFC 5424: absent fields are NILVALUE, no structured data; a payload is MSG as it is", () =>
    Effect.gen(function*() {
      const e = yield* encoder({})
      expect(e.texts(["hello", ""], at)).toEqual(["<14>1 2026-11-28T12:00:00.000Z box wpc - - - hello", "<14>1 2026-11-28T12:00:00.000Z box wpc - - - "])
      const withAll = yield* encoder({ facility: 16, severity: "err", host: "h", app: "a", procid: "9", msgid: "M" })
      expect(withAll.texts(["x"], at)).toEqual(["<131>1 2026-11-28T12:00:00.000Z h a 9 M - x"])
      expect([...withAll.bytes([new Uint8Array([0xff])], at)[0]!].slice(-2)).toEqual([0x20, 0xff])
    }))

  it.effect("RFC 3164: <PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG in local time; no MSGID", () =>
    Effect.gen(function*() {
      const e = yield* encoder({ format: "rfc3164", procid: "42", msgid: "M" })
      const local = new Date(at)
      const time = `Nov ${String(local.getDate()).padStart(2, " ")} ${[local.getHours(), local.getMinutes(), local.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":")}`
      expect(e.texts(["hi"], at)).toEqual([`<14>${time} box wpc[42]: hi`])
    }))

  it.effect("record fields: cleaned to what the format allows; a Null field is absent; MSG is message, else the record", () =>
    Effect.gen(function*() {
      const e = yield* encoder({})
      const record = DataRecord.make([
        DataRecord.field("host", DataRecord.chars("héllo world")),
        DataRecord.field("app", DataRecord.nil),
        DataRecord.field("procid", Option.getOrThrow(DataRecord.digit(7))),
        DataRecord.field("msgid", DataRecord.chars("x".repeat(40))),
        DataRecord.field("timestamp", Option.getOrThrow(DataRecord.time("2026-01-02T03:04:05+01:00")))
      ])
      expect(Either.getOrThrow(e.records([record], at))).toEqual([
        `<14>1 2026-01-02T03:04:05+01:00 h_llo_world wpc 7 ${"x".repeat(32)} - {"host":"héllo world","app":null,"procid":7,"msgid":"${"x".repeat(40)}","timestamp":"2026-01-02T03:04:05+01:00"}`
      ])
      // a time with more than 6 fraction digits, or not RFC 3339, is written in UTC
      const odd = DataRecord.make([DataRecord.field("timestamp", DataRecord.chars("Sat, 28 Nov 2026 13:00:00 +0100")), DataRecord.field("message", DataRecord.chars("m"))])
      expect(Either.getOrThrow(e.records([odd], at))).toEqual(["<14>1 2026-11-28T12:00:00.000Z box wpc - - - m"])
      expect(Syslog.SyslogHeader.token("a b\u0001c", 10)).toBe("a_b_c")
      expect(Syslog.SyslogHeader.token("tag[1]:x", 48, "rfc3164")).toBe("tag_1__x")
      expect(Syslog.SyslogHeader.token("", 10)).toBeUndefined()
    }))

  it.effect("frames over TCP: LF after each message, or its length in bytes (not characters) before it; over UDP the message", () =>
    Effect.gen(function*() {
      const record = DataRecord.make([
        DataRecord.field("host", DataRecord.chars("h\u00e9")),
        DataRecord.field("message", DataRecord.chars("caf\u00e9 \ud83d\ude00"))
      ])
      const message = "<14>1 2026-11-28T12:00:00.000Z h_ wpc - - - caf\u00e9 \ud83d\ude00"
      expect(Either.getOrThrow((yield* encoder({})).records([record], at))).toEqual([message])
      const bytes = Buffer.byteLength(message, "utf8")
      expect(bytes).toBe(message.length + 3)
      const line = yield* encoder({ protocol: "tcp", framing: "line" })
      expect(Either.getOrThrow(line.frames([record, record], at)).toString("utf8")).toBe(`${message}\n${message}\n`)
      const counted = yield* encoder({ protocol: "tcp", framing: "octet-counted" })
      const framed = Either.getOrThrow(counted.frames([record, record], at))
      expect(framed.toString("utf8")).toBe(`${bytes} ${message}${bytes} ${message}`)
      expect(countFrames(framed, "octet-counted")).toBe(2)
      expect(countFrames(Either.getOrThrow(line.frames([record, record, record], at)), "line")).toBe(3)
      // appended to what a builder holds; a record that cannot be sent appends nothing
      const out = ByteBuilder.make(8)
      out.text("|")
      expect(counted.frame(record, out, at)).toBe(true)
      const loud = DataRecord.make([DataRecord.field("severity", DataRecord.chars("loud"))])
      expect(counted.frame(loud, out, at)).toBe(false)
      expect(out.textOf(0)).toBe(`|${bytes} ${message}`)
      expect(Either.getLeft(counted.frames([record, loud], at))).toEqual(Option.some(
        "record #1 of the batch: field \"severity\" is \"loud\", not a severity (0 to 7, or a name such as \"err\" or \"warning\") (set params.severity_field = \"\" to not read it)"
      ))
      const udp = yield* encoder({ protocol: "udp", framing: "line" })
      const datagram = ByteBuilder.make()
      expect(udp.frame(record, datagram, at)).toBe(true)
      expect(datagram.textOf(0)).toBe(message)
    }))

  it.effect("header fields from records: each UTF-16 unit outside printable ASCII becomes _, cut at the format's limit; empty text falls back to the params", () =>
    Effect.gen(function*() {
      const e = yield* encoder({ host: "fallback", procid: "9" })
      const record = DataRecord.make([
        DataRecord.field("host", DataRecord.chars("")),
        DataRecord.field("app", DataRecord.chars("\ud83d\ude00x y")),
        DataRecord.field("procid", DataRecord.chars("p".repeat(200))),
        DataRecord.field("msgid", Option.getOrThrow(DataRecord.digit(42))),
        DataRecord.field("facility", Option.getOrThrow(DataRecord.digit(16))),
        DataRecord.field("severity", DataRecord.chars("warning")),
        DataRecord.field("message", DataRecord.chars(""))
      ])
      expect(Either.getOrThrow(e.records([record], at))).toEqual([`<132>1 2026-11-28T12:00:00.000Z fallback __x_y ${"p".repeat(128)} 42 -`])
      const bsd = yield* encoder({ format: "rfc3164" })
      const tagged = DataRecord.make([DataRecord.field("app", DataRecord.chars("a[1]:b")), DataRecord.field("procid", DataRecord.chars("7")), DataRecord.field("message", DataRecord.chars("m"))])
      expect(Either.getOrThrow(bsd.records([tagged], at))[0]).toMatch(/^<14>\w{3} [ \d]\d \d{2}:\d{2}:\d{2} box a_1__b\[7\]: m$/)
    }))

  it.effect("records of different shapes in one batch; a field named twice: the first that is not Null wins", () =>
    Effect.gen(function*() {
      const e = yield* encoder({})
      const text = (name: string, value: string) => DataRecord.field(name, DataRecord.chars(value))
      const records = [
        DataRecord.make([text("host", "a"), text("message", "one")]),
        DataRecord.make([text("host", "b"), text("message", "two")]),
        DataRecord.make([DataRecord.field("host", DataRecord.nil), text("host", "c"), text("message", "three")]),
        DataRecord.make([text("message", "four"), text("host", "d")]),
        DataRecord.make([text("host", "e"), text("host", "ignored"), text("message", "five")]),
        DataRecord.make([text("host", "f"), text("message", "six")]),
        DataRecord.make([DataRecord.field("host", DataRecord.nil), text("message", "seven")])
      ]
      expect(Either.getOrThrow(e.records(records, at)).map((m) => m.split(" ").slice(2).join(" "))).toEqual([
        "a wpc - - - one",
        "b wpc - - - two",
        "c wpc - - - three",
        "d wpc - - - four",
        "e wpc - - - five",
        "f wpc - - - six",
        "box wpc - - - seven"
      ])
    }))
})
