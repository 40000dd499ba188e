import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Option } from "effect"
import * as Syslog from "../../../src/connectors/syslog/index.js"
import { DataRecord, ParamMap, SinkFactory, Tags } from "../../../src/index.js"
import { freePort } from "../../../src/testkit/ports.js"
import { eventually, leakChecked } from "../tcp/harness.js"
import { type Event, sourceReceiver, text } from "./receiver.js"

const spec = (params: ParamMap.ParamMap): SinkFactory.ResolvedSinkSpec => ({
  group: "g",
  name: "out",
  kind: "syslog",
  connectorId: "syslog-sink",
  params,
  filter: Option.none()
})

/** A sink built from `params` through `SyslogSink.make` (its `resent` counter at hand), host name `wpc-test`. */
const make = (params: ParamMap.ParamMap) =>
  Effect.flatMap(ParamMap.decodeParams(Syslog.SinkParams, params), (p) => Syslog.SyslogSink.make(p, "wpc-test"))

const str = (s: string) => DataRecord.chars(s)
const num = (n: number) => Option.getOrThrow(DataRecord.digit(n))
const rec = (fields: Record<string, DataRecord.Value>) => DataRecord.make(Object.entries(fields).map(([k, v]) => DataRecord.field(k, v)))

/** Records with every header field in its record, and the messages they must come back as. */
const records = [
  rec({ facility: str("local3"), severity: str("warning"), host: str("web-1"), app: str("nginx"), procid: num(4242), msgid: str("ACCESS"), timestamp: str("2026-11-28T12:00:00.123456+01:00"), message: str("GET /a 200 ünïcödé \"q\"") }),
  rec({ facility: num(0), severity: num(0), host: str("db host"), message: str("spaces in the host become _") }),
  rec({ severity: str("ERROR"), app: str("x".repeat(60)), message: num(17) }),
  rec({ user: str("ann"), n: num(3) }) // no header fields, no message: all from params, MSG is the record as JSON
]

/** The tags the source gives each of `records`, and its MSG. */
const expected = [
  { tags: { facility: "19", severity: "4", host: "web-1", app: "nginx", procid: "4242", msgid: "ACCESS" }, msg: "GET /a 200 ünïcödé \"q\"" },
  { tags: { facility: "0", severity: "0", host: "db_host", app: "wpc" }, msg: "spaces in the host become _" },
  { tags: { facility: "1", severity: "3", host: "wpc-test", app: "x".repeat(48) }, msg: "17" },
  { tags: { facility: "1", severity: "6", host: "wpc-test", app: "wpc" }, msg: "{\"user\":\"ann\",\"n\":3}" }
]

/** The header tags and the MSG of an event of a source with `attach_meta_tags` (its payload whole). */
const parsed = (e: Event) => {
  const message = Option.getOrThrow(Syslog.SyslogParser.parse(text(e)))
  const { facility, severity, host, app, procid, msgid } = Tags.toRecord(e.tags)
  const tags = Object.fromEntries(Object.entries({ facility, severity, host, app, procid, msgid }).filter(([, v]) => v !== undefined))
  return { tags, msg: Syslog.SyslogParser.body(text(e), message), format: message.format, timestamp: message.timestamp }
}

describe("syslog sink -> the project's syslog source", () => {
  for (const [protocol, framing] of [["tcp", "octet-counted"], ["tcp", "line"], ["udp", "octet-counted"]] as const) {
    it.live(`RFC 5424 over ${protocol}${protocol === "tcp" ? ` (${framing})` : ""}: headers from record fields or params, MSG from the message field or the record; payloads under the params' header`, () =>
      leakChecked(Effect.gen(function*() {
        const receiver = yield* sourceReceiver({ protocol })
        const { sink } = yield* make({ port: receiver.port, protocol, framing, procid: "77" })
        yield* sink.sinkRecords(records)
        yield* sink.sinkStrBatch(["plain payload", "ü"])
        yield* sink.sinkBytes(new Uint8Array([0x62, 0x79, 0x74, 0x65, 0x73]))
        yield* eventually(() => Effect.runSync(receiver.events).length === 7, "7 messages")
        const events = (yield* receiver.events).map(parsed)
        expect(events.slice(0, 4).map(({ msg, tags }) => ({ msg, tags }))).toEqual(expected.map((e, i) => ({ ...e, tags: { procid: "77", ...e.tags, ...(i === 0 ? { procid: "4242" } : {}) } })))
        expect(events.every((e) => e.format === "rfc5424")).toBe(true)
        expect(events[0]!.timestamp).toBe("2026-11-28T12:00:00.123456+01:00")
        expect(Date.parse(events[1]!.timestamp!)).toBeGreaterThan(Date.now() - 60_000) // the time of the write
        expect(events.slice(4).map((e) => [e.msg, e.tags])).toEqual(
          ["plain payload", "ü", "bytes"].map((m) => [m, { facility: "1", severity: "6", host: "wpc-test", app: "wpc", procid: "77" }])
        )
      })))
  }

  it.live("RFC 3164 over tcp: <PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG", () =>
    leakChecked(Effect.gen(function*() {
      const receiver = yield* sourceReceiver({ protocol: "tcp" })
      const { sink } = yield* make({ port: receiver.port, protocol: "tcp", format: "rfc3164", facility: "local7", severity: "notice", app: "cron" })
      yield* sink.sinkRecords(records)
      yield* sink.sinkStr("a payload")
      yield* eventually(() => Effect.runSync(receiver.events).length === 5, "5 messages")
      const events = yield* receiver.events
      const all = events.map(parsed)
      expect(all.every((e) => e.format === "rfc3164")).toBe(true)
      expect(all.map((e) => e.msg)).toEqual([...expected.map((e) => e.msg), "a payload"])
      expect(all[0]!.tags).toEqual({ facility: "19", severity: "4", host: "web-1", app: "nginx", procid: "4242" })
      expect(all[4]!.tags).toEqual({ facility: "23", severity: "5", host: "wpc-test", app: "cron" })
      // the record's time, in this machine's local time
      const local = new Date(Date.parse("2026-11-28T12:00:00.123456+01:00"))
      expect(all[0]!.timestamp).toBe(`Nov ${String(local.getDate()).padStart(2, " ")} ${[local.getHours(), local.getMinutes(), local.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":")}`)
      expect(text(events[4]!)).toMatch(/^<189>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d wpc-test cron: a payload$/)
    })))

  it.live("a record field that cannot be what it names fails the whole batch (200, not retryable) naming record, field and value; nothing is sent", () =>
    leakChecked(Effect.gen(function*() {
      const receiver = yield* sourceReceiver({ protocol: "tcp" })
      const { sink } = yield* make({ port: receiver.port, protocol: "tcp" })
      for (const [bad, says] of [
        [{ severity: str("loud") }, "field \"severity\" is \"loud\", not a severity"],
        [{ facility: num(24) }, "field \"facility\" is 24, not a facility"],
        [{ timestamp: str("yesterday") }, "field \"timestamp\" is \"yesterday\", not a time"],
        [{ host: DataRecord.obj({ a: str("b") }) }, "field \"host\" is {\"a\":\"b\"}, not text or a number"]
      ] as const) {
        const error = yield* Effect.flip(sink.sinkRecords([rec({ message: str("fine") }), rec({ message: str("bad"), ...bad })]))
        expect(error).toMatchObject({ _tag: "SinkUvs", code: 200, retryable: false })
        expect(error.message).toContain("record #1 of the batch")
        expect(error.message).toContain(says)
      }
      // a field switched off is not read
      const { sink: lenient } = yield* make({ port: receiver.port, protocol: "tcp", severity_field: "", host_field: "" })
      yield* lenient.sinkRecords([rec({ severity: str("loud"), host: DataRecord.nil, message: str("sent") })])
      yield* eventually(() => Effect.runSync(receiver.events).length === 1, "1 message")
      expect((yield* receiver.events).map(parsed).map((e) => [e.msg, e.tags.severity])).toEqual([["sent", "6"]])
    })))

  it.live("tcp: a receiver that is down fails the write retryably (202), not the build; the write after it is up goes through", () =>
    leakChecked(Effect.gen(function*() {
      const port = yield* freePort
      const { sink } = yield* make({ port, protocol: "tcp" })
      const error = yield* Effect.flip(sink.sinkStr("early"))
      expect(error).toMatchObject({ _tag: "SinkUvs", code: 202, retryable: true })
      expect(error.message).toContain(`cannot connect to 127.0.0.1:${port}: ECONNREFUSED`)
      const receiver = yield* sourceReceiver({ protocol: "tcp", port })
      yield* sink.sinkStr("late")
      yield* eventually(() => Effect.runSync(receiver.events).length === 1, "1 message")
      expect((yield* receiver.events).map((e) => parsed(e).msg)).toEqual(["late"])
    })))

  it.live("tcp: after the receiver's connection is lost, the batches written shortly before are sent again first, and counted", () =>
    leakChecked(Effect.gen(function*() {
      const port = yield* freePort
      const first = yield* sourceReceiver({ protocol: "tcp", port })
      const { resent, sink } = yield* make({ port, protocol: "tcp", resend_ms: 60_000 })
      yield* sink.sinkStrBatch(["a", "b"])
      yield* sink.sinkStr("c")
      yield* eventually(() => Effect.runSync(first.events).length === 3, "3 messages")
      yield* first.stop
      yield* Effect.sleep(Duration.millis(50)) // the sink sees the close
      const down = yield* Effect.flip(sink.sinkStr("d"))
      expect(down.code).toBe(202)
      const second = yield* sourceReceiver({ protocol: "tcp", port })
      yield* sink.reconnect
      yield* sink.sinkStr("d")
      yield* eventually(() => Effect.runSync(second.events).length === 4, "4 messages")
      expect((yield* second.events).map((e) => parsed(e).msg)).toEqual(["a", "b", "c", "d"])
      expect(resent()).toBe(3)
      // a healthy reconnect resends nothing
      yield* sink.reconnect
      yield* sink.sinkStr("e")
      yield* eventually(() => Effect.runSync(second.events).length === 5, "5 messages")
      expect(resent()).toBe(3)
    })))

  it.live("tcp: only the batches written within resend_ms before the loss are sent again", () =>
    leakChecked(Effect.gen(function*() {
      const port = yield* freePort
      const first = yield* sourceReceiver({ protocol: "tcp", port })
      const { resent, sink } = yield* make({ port, protocol: "tcp", resend_ms: 1000 })
      yield* sink.sinkStr("old")
      yield* Effect.sleep(Duration.millis(1500)) // "old" is now older than resend_ms
      yield* sink.sinkStrBatch(["new 1", "new 2"])
      yield* eventually(() => Effect.runSync(first.events).length === 3, "3 messages")
      yield* first.stop
      const second = yield* sourceReceiver({ protocol: "tcp", port })
      yield* Effect.sleep(Duration.millis(50)) // the sink sees the close
      yield* sink.sinkStr("next")
      yield* eventually(() => Effect.runSync(second.events).length === 3, "3 messages")
      expect((yield* second.events).map((e) => parsed(e).msg)).toEqual(["new 1", "new 2", "next"])
      expect(resent()).toBe(2)
    })))

  it.live("tcp with resend_ms = 0: what the lost connection took is not sent again", () =>
    leakChecked(Effect.gen(function*() {
      const port = yield* freePort
      const first = yield* sourceReceiver({ protocol: "tcp", port })
      const { resent, sink } = yield* make({ port, protocol: "tcp", resend_ms: 0 })
      yield* sink.sinkStr("a")
      yield* eventually(() => Effect.runSync(first.events).length === 1, "1 message")
      yield* first.stop
      const second = yield* sourceReceiver({ protocol: "tcp", port })
      yield* Effect.sleep(Duration.millis(50))
      yield* sink.sinkStr("b")
      yield* eventually(() => Effect.runSync(second.events).length === 1, "1 message")
      expect((yield* second.events).map((e) => parsed(e).msg)).toEqual(["b"])
      expect(resent()).toBe(0)
    })))

  it.live("udp: a receiver that is gone draws a refusal; the next batch fails retryably (202) saying so", () =>
    leakChecked(Effect.gen(function*() {
      const receiver = yield* sourceReceiver({ protocol: "udp" })
      const { sink } = yield* make({ port: receiver.port })
      yield* sink.sinkStr("a")
      yield* receiver.stop
      yield* sink.sinkStr("lost") // nobody listens: the OS reports the refusal later
      yield* Effect.sleep(Duration.millis(50))
      const error = yield* Effect.flip(sink.sinkStr("b"))
      expect(error).toMatchObject({ _tag: "SinkUvs", code: 202, retryable: true })
      expect(error.message).toContain(`127.0.0.1:${receiver.port} refused datagrams (ECONNREFUSED)`)
    })))

  it.live("udp: a message over 65507 bytes fails the batch (200) before anything is sent", () =>
    leakChecked(Effect.gen(function*() {
      const receiver = yield* sourceReceiver({ protocol: "udp" })
      const { sink } = yield* make({ port: receiver.port })
      const error = yield* Effect.flip(sink.sinkStrBatch(["small", "x".repeat(70000)]))
      expect(error).toMatchObject({ _tag: "SinkUvs", code: 200, retryable: false })
      expect(error.message).toContain("message #1 of the batch is")
      yield* sink.sinkStr("after")
      yield* eventually(() => Effect.runSync(receiver.events).length === 1, "1 message")
      expect((yield* receiver.events).map((e) => parsed(e).msg)).toEqual(["after"])
    })))

  it.effect("bad params are ConfigErrors naming the param", () =>
    Effect.gen(function*() {
      for (const [params, path, says] of [
        [{ port: 0 }, "params.port", "between 1 and 65535"],
        [{ protocol: "tls" }, "params.protocol", ""],
        [{ framing: "auto" }, "params.framing", ""],
        [{ format: "rfc5425" }, "params.format", ""],
        [{ facility: 24 }, "params.facility", "between 0 and 23"],
        [{ facility: "local8" }, "params.facility", "\"local7\""],
        [{ severity: "loud" }, "params.severity", "\"warning\""],
        [{ host: "two words" }, "params.host", "printable US-ASCII"],
        [{ app: "x".repeat(49) }, "params.app", "1 to 48"],
        [{ msgid: "" }, "params.msgid", "1 to 32"],
        [{ resend_ms: -1 }, "params.resend_ms", ">= 0"],
        [{ severity_fld: "s" }, "params.severity_fld", "did you mean \"severity_field\""]
      ] as const) {
        const error = yield* Effect.flip(Syslog.SyslogSink.factory.validateSpec(spec(params)))
        expect(error, JSON.stringify(params)).toMatchObject({ _tag: "ConfigError", code: 300, path })
        expect(error.message).toContain(says)
      }
      const [def] = Syslog.sinkDefs.sinkDefs()
      expect(def).toMatchObject({ id: "syslog-sink", kind: "syslog" })
      expect(def!.defaultParams).toMatchObject({ port: 514, protocol: "udp", framing: "octet-counted", format: "rfc5424", facility: "user", severity: "info", app: "wpc", resend_ms: 1000 })
      expect(Syslog.SyslogPriority.facilityCode("LOCAL0")).toBe(16)
      expect(Syslog.SyslogPriority.severityCode(" warn ")).toBe(4)
      expect(Syslog.SyslogPriority.severityCode("8")).toBeUndefined()
    }))
})
