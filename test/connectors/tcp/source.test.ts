import * as net from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Option } from "effect"
import { ConfigError, ConnectorRegistry, ParamMap, SourceFactory, Tags } from "../../../src/index.js"
import * as ReusedRead from "../../../src/connectors/net/reused-read.js"
import * as Tcp from "../../../src/connectors/tcp/index.js"
import { connect, eventually, floodUntilPaused, leakChecked, receiveN, send, startAcceptor, text } from "./harness.js"

const params = (overrides: ParamMap.ParamMap = {}) => ParamMap.decodeParams(Tcp.SourceParams, { port: 0, ...overrides })

/** A TCP source on a free port whose acceptor is serving. */
const serve = (overrides: ParamMap.ParamMap = {}, tags: Tags.Tags = Tags.make({ env: "test" })) =>
  Effect.gen(function*() {
    const built = yield* Tcp.TcpSource.make("net", yield* params(overrides), tags)
    const { done, plane } = yield* startAcceptor(built.acceptor)
    return { ...built, port: built.acceptor.port, plane, done }
  })

const spec = (p: ParamMap.ParamMap, tags: ReadonlyArray<string> = []): SourceFactory.ResolvedSourceSpec => ({
  name: "net",
  kind: "tcp",
  connectorId: "tcp-src",
  params: p,
  tags
})

const factory = Effect.flatMap(ConnectorRegistry.ConnectorRegistry, (r) => r.sourceFactory("tcp")).pipe(
  Effect.provide(ConnectorRegistry.fromConnectors(Tcp.layer))
)

/** Occupies a free port on 127.0.0.1 with a plain server for the Scope. */
const occupy = Effect.acquireRelease(
  Effect.async<net.Server>((resume) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
  }),
  (server) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
)

describe("tcp source", () => {
  it.live("queues one event per line from every client, in order, tagged, with the peer address and monotonic ids", () =>
    leakChecked(Effect.gen(function*() {
      const { acceptor, port, source } = yield* serve()
      yield* send(port, "alpha\r\nbeta\n\n")
      yield* send(port, "gamma\n")
      const events = yield* receiveN(source, 3)
      expect(events.map(text)).toEqual(["alpha", "beta", "gamma"])
      expect(events.map((e) => e.eventId)).toEqual([0, 1, 2])
      expect(events.every((e) => e.srcKey === "net" && e.upsIp === "127.0.0.1")).toBe(true)
      expect(Tags.toRecord(events[0]!.tags)).toEqual({ env: "test" })
      expect(acceptor.stats()).toMatchObject({ accepted: 2, refused: 0, frames: 3, truncated: 0, partial: 0 })
    })))

  it.live("clients whose lines span reads, all read into one shared buffer: every line whole, in each client's order", () =>
    leakChecked(Effect.gen(function*() {
      expect(ReusedRead.isAvailable()).toBe(true)
      const { acceptor, port, source } = yield* serve({ framing: "auto" })
      const clients = yield* Effect.all(Array.from({ length: 4 }, () => connect(port)))
      const perClient = 3000
      // client k's lines, LF-delimited and octet-counted in turn, written in pieces of (k * 7 + 5) * 50 bytes cut
      // anywhere (mid-line, mid-count), the clients taking turns
      const lineOf = (k: number, i: number) => `c${k}-${i} ${"é".repeat(i % 3)}${"x".repeat((i * 13) % 90)}`
      const streams = clients.map((_, k) =>
        Buffer.from(
          Array.from({ length: perClient }, (_, i) => (i % 2 === 0 ? `${lineOf(k, i)}\n` : `${Buffer.byteLength(lineOf(k, i))} ${lineOf(k, i)}`)).join(""),
          "utf8"
        )
      )
      const at = streams.map(() => 0)
      while (at.some((a, k) => a < streams[k]!.length)) {
        for (let k = 0; k < clients.length; k++) {
          const step = k * 7 + 5
          if (at[k]! >= streams[k]!.length) continue
          yield* clients[k]!.write(streams[k]!.subarray(at[k]!, at[k]! + step * 50))
          at[k] = at[k]! + step * 50
        }
      }
      const events = yield* receiveN(source, clients.length * perClient)
      for (let k = 0; k < clients.length; k++) {
        const mine = events.map(text).filter((t) => t.startsWith(`c${k}-`))
        expect(mine).toEqual(Array.from({ length: perClient }, (_, i) => lineOf(k, i)))
      }
      expect(acceptor.stats()).toMatchObject({ frames: clients.length * perClient, truncated: 0, partial: 0, framingErrors: 0 })
    })))

  it.live("builds through the registry: one source, an acceptor, the bound port in the meta tags", () =>
    leakChecked(Effect.gen(function*() {
      const tcp = yield* factory
      const svc = yield* tcp.build(spec({ port: 0 }, ["team:ops"]), SourceFactory.buildCtx("/nonexistent"))
      expect(svc.sources).toHaveLength(1)
      const handle = svc.sources[0]!
      expect(handle.source.identifier).toBe("tcp:net")
      expect(handle.source.caps).toEqual({ ack: false, seek: false, parallel: false })
      const port = Number(Tags.getOrUndefined(handle.metadata.tags, "tcp_port"))
      expect(port).toBeGreaterThan(0)
      expect(Tags.getOrUndefined(handle.metadata.tags, "tcp_addr")).toBe("127.0.0.1")
      const acceptor = Option.getOrThrow(svc.acceptor)
      expect(acceptor.name).toBe("tcp:net")
      const { plane } = yield* startAcceptor(acceptor.acceptor)
      yield* send(port, "one\n")
      const [event] = yield* receiveN(handle.source, 1)
      expect(Tags.toRecord(event!.tags)).toEqual({ team: "ops" })
      yield* plane.stop
    })))

  it.live("reads octet-counted frames (RFC 6587), payloads may hold LF", () =>
    leakChecked(Effect.gen(function*() {
      const { port, source } = yield* serve({ framing: "octet-counted" })
      const client = yield* connect(port)
      yield* client.write("5 hello13 two\nlines ok")
      yield* client.write("!")
      const events = yield* receiveN(source, 2)
      expect(events.map(text)).toEqual(["hello", "two\nlines ok!"])
    })))

  it.live("keeps garbage bytes that are not UTF-8 as they are, as bytes payloads", () =>
    leakChecked(Effect.gen(function*() {
      const { port, source } = yield* serve()
      const garbage = Uint8Array.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x0a, 0xc3, 0x28, 0x0d, 0x0a, 0x41, 0x0a])
      yield* send(port, garbage)
      const events = yield* receiveN(source, 3)
      expect(events[0]!.payload).toEqual(Uint8Array.from([0xff, 0xfe, 0x00, 0x01, 0x80]))
      expect(events[1]!.payload).toEqual(Uint8Array.from([0xc3, 0x28]))
      expect(events[2]!.payload).toBe("A")
    })))

  it.live("cuts a 10 MB line to max_frame_bytes (tagged truncated), drops the rest of it, and carries on", () =>
    leakChecked(Effect.gen(function*() {
      const { acceptor, intake, port, source } = yield* serve()
      const huge = Buffer.alloc(10 * 1024 * 1024, "x")
      yield* send(port, Buffer.concat([Buffer.from("before\n"), huge, Buffer.from("\nafter\n")]))
      const events = yield* receiveN(source, 3)
      expect(events.map((e) => (typeof e.payload === "string" ? e.payload.length : -1))).toEqual([6, 1048576, 5])
      expect(text(events[1]!)).toBe("x".repeat(1048576))
      expect(Tags.toRecord(events[1]!.tags)).toEqual({ env: "test", truncated: "true" })
      expect(Tags.toRecord(events[2]!.tags)).toEqual({ env: "test" })
      expect(acceptor.stats()).toMatchObject({ truncated: 1, bytes: huge.length + 14 })
      expect(intake.bytes()).toBe(0)
    })))

  it.live("a client that disconnects mid-frame: the partial frame is queued tagged partial, nothing else is lost", () =>
    leakChecked(Effect.gen(function*() {
      const { acceptor, port, source } = yield* serve()
      // a graceful close (FIN) mid-line
      yield* send(port, "whole\nhalf a li")
      // an abrupt close (RST) mid-line
      const client = yield* connect(port)
      yield* client.write("second\ncut sh")
      client.socket.resetAndDestroy()
      yield* client.closed
      const events = yield* receiveN(source, 4)
      expect(events.map(text)).toEqual(["whole", "half a li", "second", "cut sh"])
      expect(events.map((e) => Tags.getOrUndefined(e.tags, "partial"))).toEqual([undefined, "true", undefined, "true"])
      yield* eventually(() => acceptor.stats().active === 0, "both connections to close")
      expect(acceptor.stats().partial).toBe(2)
    })))

  it.live("octet-counted: a frame cut by a disconnect is partial; a bad header closes the connection, counted", () =>
    leakChecked(Effect.gen(function*() {
      const { acceptor, port, source } = yield* serve({ framing: "octet-counted" })
      yield* send(port, "3 abc10 only")
      const client = yield* connect(port)
      yield* client.write("2 ok99999999999 x")
      yield* client.closed // the server closed it
      const events = yield* receiveN(source, 3)
      expect(events.map(text)).toEqual(["abc", "only", "ok"])
      expect(Tags.getOrUndefined(events[1]!.tags, "partial")).toBe("true")
      expect(acceptor.stats()).toMatchObject({ framingErrors: 1, partial: 1 })
    })))

  it.live("refuses connections over max_connections (closed at once, counted); the others keep working", () =>
    leakChecked(Effect.gen(function*() {
      const { acceptor, port, source } = yield* serve({ max_connections: 2 })
      const a = yield* connect(port)
      const b = yield* connect(port)
      yield* eventually(() => acceptor.stats().active === 2, "two connections")
      // reset at once: the client sees it while connecting, or just after (connections.test.ts has more)
      yield* Effect.ignore(Effect.flatMap(connect(port), (c) => c.closed))
      expect(acceptor.stats()).toMatchObject({ accepted: 2, refused: 1, active: 2 })
      yield* a.write("from a\n")
      yield* b.write("from b\n")
      expect((yield* receiveN(source, 2)).map(text).sort()).toEqual(["from a", "from b"])
      a.socket.end()
      yield* a.closed
      yield* eventually(() => acceptor.stats().active === 1, "a to be gone")
      const d = yield* connect(port)
      yield* d.write("from d\n")
      expect((yield* receiveN(source, 1)).map(text)).toEqual(["from d"])
    })))

  it.live("backpressure: a full queue stops reading the sockets; nothing is lost once the pipeline catches up", () =>
    leakChecked(Effect.gen(function*() {
      const { acceptor, intake, port, source } = yield* serve({ queue_events: 100, queue_bytes: 65536 })
      const { count, numbers, payload, written } = yield* floodUntilPaused(port, acceptor, "y")
      yield* Effect.sleep(Duration.millis(300))
      const stalled = acceptor.stats().bytes
      expect(written()).toBe(false) // the client cannot get rid of its data: TCP pushes back
      expect(stalled).toBeLessThan(payload.length / 4)
      expect(intake.size()).toBeLessThanOrEqual(100 + 64) // the limit plus at most one chunk of lines
      yield* Effect.sleep(Duration.millis(100))
      expect(acceptor.stats().bytes).toBe(stalled) // and it stays paused
      const events = yield* receiveN(source, count)
      expect(numbers(events)).toEqual(Array.from({ length: count }, (_, i) => i))
      expect(events.every((e) => text(e).length === String(e.eventId).length + 1000)).toBe(true)
      yield* eventually(written, "the client's write to complete")
    })))

  it.live("connections made before acceptConnection wait, paused, and are read once it runs", () =>
    leakChecked(Effect.gen(function*() {
      const built = yield* Tcp.TcpSource.make("net", yield* params())
      const client = yield* connect(built.acceptor.port)
      yield* client.write("early\n")
      yield* Effect.sleep(Duration.millis(50))
      expect(built.intake.size()).toBe(0)
      const { plane } = yield* startAcceptor(built.acceptor)
      expect((yield* receiveN(built.source, 1)).map(text)).toEqual(["early"])
      const again = yield* Effect.exit(built.acceptor.acceptConnection(yield* plane.subscribe))
      expect(Exit.isFailure(again)).toBe(true)
    })))

  it.live("Stop: stops accepting, queues partial frames, closes connections; receive drains, then SourceEof", () =>
    leakChecked(Effect.gen(function*() {
      const { acceptor, done, plane, port, source } = yield* serve()
      const client = yield* connect(port)
      yield* client.write("one\ntwo\nthr")
      yield* eventually(() => acceptor.stats().frames === 2, "two frames")
      yield* plane.stop
      yield* done
      yield* client.closed
      const events = yield* receiveN(source, 3)
      expect(events.map(text)).toEqual(["one", "two", "thr"])
      expect(Tags.getOrUndefined(events[2]!.tags, "partial")).toBe("true")
      const eof = yield* Effect.flip(source.receive)
      expect(eof._tag).toBe("SourceEof")
      expect((yield* Effect.flip(source.receive))._tag).toBe("SourceEof")
      const refused = yield* Effect.exit(connect(port))
      expect(Exit.isFailure(refused)).toBe(true)
    })))

  it.live("a port already in use is a ConfigError (300) naming addr:port, and leaves nothing open", () =>
    leakChecked(Effect.gen(function*() {
      const taken = yield* occupy
      const port = (taken.address() as net.AddressInfo).port
      const tcp = yield* factory
      const error = yield* Effect.flip(Effect.scoped(tcp.build(spec({ port }), SourceFactory.buildCtx("/nonexistent"))))
      expect(error).toBeInstanceOf(ConfigError)
      expect(error.code).toBe(300)
      expect((error as ConfigError).path).toBe("params.port")
      expect(error.message).toContain(`tcp source net cannot listen on 127.0.0.1:${port}: address already in use (EADDRINUSE)`)
    })))

  it.live("closing the build Scope without Stop closes the server and every connection", () =>
    leakChecked(Effect.gen(function*() {
      const client = yield* Effect.scoped(Effect.gen(function*() {
        const { port, source } = yield* serve()
        const c = yield* connect(port)
        yield* c.write("x\n")
        yield* receiveN(source, 1)
        return c
      }))
      yield* client.closed
    })))

  it.effect("bad params are ConfigErrors naming the param, in validateSpec and build", () =>
    Effect.gen(function*() {
      const tcp = yield* factory
      const cases: ReadonlyArray<readonly [ParamMap.ParamMap, string]> = [
        [{ port: 70000 }, "params.port"],
        [{ port: "9000" }, "params.port"],
        [{ framing: "xml" }, "params.framing"],
        [{ max_connections: 0 }, "params.max_connections"],
        [{ max_frame_bytes: 1.5 }, "params.max_frame_bytes"],
        [{ addr: "" }, "params.addr"]
      ]
      for (const [p, path] of cases) {
        const invalid = yield* Effect.flip(tcp.validateSpec(spec(p)))
        expect(invalid.path).toBe(path)
        const failed = yield* Effect.flip(Effect.scoped(tcp.build(spec(p), SourceFactory.buildCtx("/x"))))
        expect(failed).toBeInstanceOf(ConfigError)
        expect((failed as ConfigError).path).toBe(path)
      }
      expect((yield* Effect.flip(tcp.validateSpec(spec({}, ["nocolon"])))).path).toBe("tags[0]")
    }))
})

describe("tcp definitions and URL adapter", () => {
  it.effect("declares tcp-src and tcp-sink with their defaults, every param overridable (tls too, which has no default)", () =>
    Effect.sync(() => {
      const [src] = Tcp.sourceDefs.sourceDefs()
      const [sink] = Tcp.sinkDefs.sinkDefs()
      expect([src!.id, src!.kind, src!.scope]).toEqual(["tcp-src", "tcp", "source"])
      expect([sink!.id, sink!.kind, sink!.scope]).toEqual(["tcp-sink", "tcp", "sink"])
      expect(src!.defaultParams).toMatchObject({ addr: "127.0.0.1", port: 9000, framing: "line", max_frame_bytes: 1048576 })
      // tcp_recv_bytes has no default: without it, max_frame_bytes holds
      expect([...src!.allowOverride].sort()).toEqual([...Object.keys(src!.defaultParams), "tcp_recv_bytes", "tls"].sort())
      expect(sink!.defaultParams).toMatchObject({ framing: "line", connect_timeout_ms: 5000 })
    }))

  it.effect("maps tcp://host:port to addr and port, and names the URL part it refuses", () =>
    Effect.gen(function*() {
      expect(yield* Tcp.adapter.urlToParams("tcp://127.0.0.1:9000")).toEqual({ addr: "127.0.0.1", port: 9000 })
      expect(yield* Tcp.adapter.urlToParams("tcp://[::1]:514/")).toEqual({ addr: "::1", port: 514 })
      expect(yield* Tcp.adapter.urlToParams("tcp://logs.example")).toEqual({ addr: "logs.example" })
      const refused = [
        ["udp://h:1", "url.scheme"],
        ["tcp://h:99999", "url.port"],
        ["tcp://h:1/path", "url.path"],
        ["tcp://h:1?framing=line", "url.query"],
        ["tcp://u:p@h:1", "url.userinfo"]
      ] as const
      for (const [url, path] of refused) expect((yield* Effect.flip(Tcp.adapter.urlToParams(url))).path).toBe(path)
    }))
})
