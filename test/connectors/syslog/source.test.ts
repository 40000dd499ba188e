import * as dgram from "node:dgram"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { ConfigError, ConnectorRegistry, ParamMap, SourceFactory, Tags } from "../../../src/index.js"
import * as Syslog from "../../../src/connectors/syslog/index.js"
import type { UdpReceiver } from "../../../src/connectors/syslog/udp.js"
import type { TcpAcceptor } from "../../../src/connectors/tcp/acceptor.js"
import { connect, eventually, leakChecked, receiveN, startAcceptor, text } from "../tcp/harness.js"

const spec = (p: ParamMap.ParamMap, tags: ReadonlyArray<string> = []): SourceFactory.ResolvedSourceSpec => ({
  name: "logs",
  kind: "syslog",
  connectorId: "syslog-src",
  params: p,
  tags
})

const factory = Effect.flatMap(ConnectorRegistry.ConnectorRegistry, (r) => r.sourceFactory("syslog")).pipe(
  Effect.provide(ConnectorRegistry.fromConnectors(Syslog.layer))
)

/** A syslog source on a free port, serving. */
const serve = (overrides: ParamMap.ParamMap = {}) =>
  Effect.gen(function*() {
    const params = yield* ParamMap.decodeParams(Syslog.SourceParams, { port: 0, ...overrides })
    const built = yield* Syslog.SyslogSource.make("logs", params, Tags.make({ env: "test" }))
    const { done, plane } = yield* startAcceptor(built.acceptor)
    return { ...built, port: built.acceptor.port, plane, done }
  })

/** A UDP client socket for the Scope. */
const udpClient = Effect.acquireRelease(
  Effect.sync(() => dgram.createSocket("udp4")),
  (socket) => Effect.async<void>((resume) => void socket.close(() => resume(Effect.void)))
)

/** Sends each message as one datagram to 127.0.0.1:`port`, in order. */
const sendDatagrams = (port: number, messages: ReadonlyArray<string | Uint8Array>) =>
  Effect.scoped(Effect.gen(function*() {
    const socket = yield* udpClient
    for (const m of messages) {
      yield* Effect.async<void, Error>((resume) =>
        socket.send(m, port, "127.0.0.1", (e) => resume(e === null ? Effect.void : Effect.fail(e)))
      )
    }
  }))

const rfc5424 = "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 77 ID47 [ex@32473 iut=\"3\"] An application event"
const rfc3164 = "<34>Oct 11 22:14:15 mymachine su[42]: 'su root' failed"

describe("syslog source over UDP", () => {
  it.live("one datagram is one event: header fields as tags, the message untouched, the sender as upsIp", () =>
    leakChecked(Effect.gen(function*() {
      const { port, source } = yield* serve()
      yield* sendDatagrams(port, [rfc5424, `${rfc3164}\n`])
      const events = yield* receiveN(source, 2)
      expect(events.map(text)).toEqual([rfc5424, rfc3164])
      expect(Tags.toRecord(events[0]!.tags)).toEqual({
        env: "test",
        facility: "20",
        severity: "5",
        host: "mymachine.example.com",
        app: "evntslog",
        procid: "77",
        msgid: "ID47"
      })
      expect(Tags.toRecord(events[1]!.tags)).toEqual({ env: "test", facility: "4", severity: "2", host: "mymachine", app: "su", procid: "42" })
      expect(events.map((e) => [e.eventId, e.upsIp, e.srcKey])).toEqual([[0, "127.0.0.1", "logs"], [1, "127.0.0.1", "logs"]])
    })))

  it.live("strip_header keeps only the MSG; attach_meta_tags false adds no tags", () =>
    leakChecked(Effect.gen(function*() {
      const { port, source } = yield* serve({ strip_header: true, attach_meta_tags: false })
      yield* sendDatagrams(port, [rfc5424, rfc3164])
      const events = yield* receiveN(source, 2)
      expect(events.map(text)).toEqual(["An application event", "'su root' failed"])
      expect(events.map((e) => Tags.toRecord(e.tags))).toEqual([{ env: "test" }, { env: "test" }])
    })))

  it.live("malformed messages and garbage bytes pass through untouched, tagged syslog_malformed, never dropped", () =>
    leakChecked(Effect.gen(function*() {
      const { port, source } = yield* serve({ strip_header: true })
      const garbage = Uint8Array.from([0xff, 0x00, 0xfe, 0x3c, 0x31, 0x3e])
      yield* sendDatagrams(port, ["no header at all", "<999>Oct 11 22:14:15 h a: x", garbage, "<13>1 yesterday h a - - - m"])
      const events = yield* receiveN(source, 4)
      expect(events.slice(0, 2).map(text)).toEqual(["no header at all", "<999>Oct 11 22:14:15 h a: x"])
      expect(events[2]!.payload).toEqual(garbage)
      expect(text(events[3]!)).toBe("<13>1 yesterday h a - - - m")
      expect(events.every((e) => Tags.getOrUndefined(e.tags, "syslog_malformed") === "true" && !Tags.has(e.tags, "facility"))).toBe(true)
    })))

  it.live("strip_header on a message whose body is not UTF-8 keeps its bytes", () =>
    leakChecked(Effect.gen(function*() {
      const { port, source } = yield* serve({ strip_header: true })
      const body = Uint8Array.from([0xc3, 0x28, 0xff])
      yield* sendDatagrams(port, [Buffer.concat([Buffer.from("<13>Oct 11 22:14:15 h app: "), body])])
      const [event] = yield* receiveN(source, 1)
      expect(event!.payload).toEqual(body)
      expect(Tags.getOrUndefined(event!.tags, "app")).toBe("app")
    })))

  it.live("a full queue drops datagrams (UDP cannot push back): counted, logged, and the queued ones still arrive", () =>
    leakChecked(Effect.gen(function*() {
      const { acceptor, port, source } = yield* serve({ queue_events: 3 })
      const receiver = acceptor as UdpReceiver
      yield* sendDatagrams(port, Array.from({ length: 10 }, (_, i) => `<13>Oct 11 22:14:15 h a: m${i}`))
      yield* eventually(() => receiver.stats().datagrams === 10, "ten datagrams")
      expect(receiver.stats()).toMatchObject({ datagrams: 10, dropped: 7 })
      expect((yield* receiveN(source, 3)).map(text).map((t) => t.split(": ")[1])).toEqual(["m0", "m1", "m2"])
      yield* sendDatagrams(port, ["<13>Oct 11 22:14:15 h a: later"])
      expect((yield* receiveN(source, 1)).map(text)).toEqual(["<13>Oct 11 22:14:15 h a: later"])
      expect(receiver.stats().dropped).toBe(7)
    })))

  it.live("Stop closes the socket; receive drains, then SourceEof", () =>
    leakChecked(Effect.gen(function*() {
      const { done, intake, plane, port, source } = yield* serve()
      yield* sendDatagrams(port, [rfc3164])
      yield* eventually(() => intake.size() === 1, "the datagram")
      yield* plane.stop
      yield* done
      const events = yield* receiveN(source, 1)
      expect(events.map(text)).toEqual([rfc3164])
      expect((yield* Effect.flip(source.receive))._tag).toBe("SourceEof")
    })))

  it.live("a port already in use is a ConfigError (300) naming addr:port, and leaves nothing open", () =>
    leakChecked(Effect.gen(function*() {
      const taken = yield* udpClient
      yield* Effect.async<void>((resume) => void taken.bind(0, "127.0.0.1", () => resume(Effect.void)))
      const port = taken.address().port
      const f = yield* factory
      const error = yield* Effect.flip(Effect.scoped(f.build(spec({ port, protocol: "udp" }), SourceFactory.buildCtx("/x"))))
      expect(error).toBeInstanceOf(ConfigError)
      expect(error.code).toBe(300)
      expect((error as ConfigError).path).toBe("params.port")
      expect(error.message).toContain(`syslog source logs cannot listen on 127.0.0.1:${port}: address already in use (EADDRINUSE)`)
    })))
})

describe("syslog source over TCP", () => {
  it.live("reads octet-counted and LF-delimited frames on one connection (RFC 6587 detection per frame)", () =>
    leakChecked(Effect.gen(function*() {
      const { port, source } = yield* serve({ protocol: "tcp" })
      const client = yield* connect(port)
      const counted = Buffer.byteLength(rfc5424)
      yield* client.write(`${counted} ${rfc5424}${rfc3164}\r\n<13>Oct 11 22:14:15 h a: multi\n`)
      const events = yield* receiveN(source, 3)
      expect(events.map(text)).toEqual([rfc5424, rfc3164, "<13>Oct 11 22:14:15 h a: multi"])
      expect(events.map((e) => Tags.getOrUndefined(e.tags, "facility"))).toEqual(["20", "4", "1"])
    })))

  it.live("a frame over tcp_recv_bytes is cut and tagged truncated; one cut by a disconnect is tagged partial", () =>
    leakChecked(Effect.gen(function*() {
      const { acceptor, port, source } = yield* serve({ protocol: "tcp", tcp_recv_bytes: 40 })
      const client = yield* connect(port)
      yield* client.write(`${rfc3164} and a long tail that goes on\n<13>Oct 11 22:14:15 h a: cut sh`)
      client.socket.end()
      yield* client.closed
      const events = yield* receiveN(source, 2)
      expect(text(events[0]!)).toBe(rfc3164.slice(0, 40))
      expect(Tags.toRecord(events[0]!.tags)).toMatchObject({ truncated: "true", app: "su" })
      expect(text(events[1]!)).toBe("<13>Oct 11 22:14:15 h a: cut sh")
      expect(Tags.toRecord(events[1]!.tags)).toMatchObject({ partial: "true", app: "a" })
      expect((acceptor as TcpAcceptor).stats()).toMatchObject({ truncated: 1, partial: 1 })
    })))

  it.live("builds through the registry with the bound address in the meta tags; a TCP port in use is a ConfigError", () =>
    leakChecked(Effect.gen(function*() {
      const f = yield* factory
      const svc = yield* f.build(spec({ port: 0, protocol: "tcp" }, ["dc:eu"]), SourceFactory.buildCtx("/x"))
      const meta = svc.sources[0]!.metadata
      expect(svc.sources[0]!.source.identifier).toBe("syslog:logs")
      expect(Tags.toRecord(meta.tags)).toMatchObject({ dc: "eu", syslog_addr: "127.0.0.1", syslog_protocol: "tcp" })
      expect(Option.getOrThrow(svc.acceptor).name).toBe("syslog:logs")
      const port = Number(Tags.getOrUndefined(meta.tags, "syslog_port"))
      const error = yield* Effect.flip(Effect.scoped(f.build(spec({ port, protocol: "tcp" }), SourceFactory.buildCtx("/x"))))
      expect(error.code).toBe(300)
      expect(error.message).toContain(`127.0.0.1:${port}`)
    })))
})

describe("syslog params", () => {
  it.effect("bad params are ConfigErrors naming the param", () =>
    Effect.gen(function*() {
      const f = yield* factory
      for (
        const [p, path] of [
          [{ protocol: "sctp" }, "params.protocol"],
          [{ strip_header: "yes" }, "params.strip_header"],
          [{ tcp_recv_bytes: 0 }, "params.tcp_recv_bytes"],
          [{ port: -1 }, "params.port"]
        ] as const
      ) {
        const e = yield* Effect.flip(f.validateSpec(spec(p)))
        expect(e).toBeInstanceOf(ConfigError)
        expect(e.path).toBe(path)
      }
    }))

  it.effect("the URL adapter maps syslog+udp / syslog+tcp / syslog URLs", () =>
    Effect.gen(function*() {
      expect(yield* Syslog.adapter.urlToParams("syslog+udp://0.0.0.0:514")).toEqual({ addr: "0.0.0.0", port: 514, protocol: "udp" })
      expect(yield* Syslog.adapter.urlToParams("syslog+tcp://[::1]:6514")).toEqual({ addr: "::1", port: 6514, protocol: "tcp" })
      expect(yield* Syslog.adapter.urlToParams("syslog://10.0.0.1")).toEqual({ addr: "10.0.0.1" })
      expect((yield* Effect.flip(Syslog.adapter.urlToParams("syslog+tls://h:1"))).path).toBe("url.scheme")
      expect((yield* Effect.flip(Syslog.adapter.urlToParams("syslog+udp://h:1/x"))).path).toBe("url.path")
      expect(Syslog.adapter.defaults()).toMatchObject({ port: 514, protocol: "udp" })
    }))
})
