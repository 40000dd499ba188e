/**
 * `instances = N` on the listener sources over TCP (`tcp`, `syslog`): N `DataSource`s fed by the one
 * listener, each connection given to one instance for good (its lines in order there), every line read
 * exactly once; bad counts, and several instances with a disk intake or over UDP, are refused at
 * `params.instances`. Real loopback sockets throughout.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Either, Fiber, Option } from "effect"
import { ConfigError, ConnectorRegistry, type DataSource, Engine, ParamMap, type Pipeline, type SourceBatch, SourceFactory, Tags } from "../../../src/index.js"
import * as Syslog from "../../../src/connectors/syslog/index.js"
import * as Tcp from "../../../src/connectors/tcp/index.js"
import { collector, connect, eventually, freePort, leakChecked, startAcceptor, text } from "./harness.js"

type Event = SourceBatch[number]

/** `error` as the `ConfigError` it must be. */
const asConfigError = (error: unknown): ConfigError => {
  if (error instanceof ConfigError) return error
  throw new Error(`expected a ConfigError, got ${String(error)}`)
}

/** Receives from `source` until it ends; yields what it read and how it ended. */
const readAll = (source: DataSource.DataSource) =>
  Effect.gen(function*() {
    const out: Array<Event> = []
    while (true) {
      const batch = yield* Effect.either(source.receive)
      if (Either.isLeft(batch)) return { events: out, end: batch.left._tag }
      out.push(...batch.right)
    }
  })

/**
 * Opens `clients` connections at once (all open before any writes), then writes `lines` numbered lines
 * `c<k> <i>` on each in several writes, and closes them.
 */
const sendFromMany = (port: number, clients: number, lines: number, frame: (k: number, i: number) => string) =>
  Effect.scoped(Effect.gen(function*() {
    const all = yield* Effect.forEach(Array.from({ length: clients }, (_, k) => k), () => connect(port))
    for (let i = 0; i < lines; i += 10) {
      yield* Effect.forEach(all, (client, k) =>
        client.write(Array.from({ length: Math.min(10, lines - i) }, (_, j) => frame(k, i + j)).join("")), { discard: true })
    }
    for (const client of all) client.socket.end()
    yield* Effect.forEach(all, (client) => client.closed, { discard: true })
  }))

/** Checks what `instances` read: every `c<k> <i>` exactly once, each connection in one instance, in order. */
const checkSpread = (read: ReadonlyArray<ReadonlyArray<string>>, clients: number, lines: number) => {
  const all = read.flat()
  expect(all.length).toBe(clients * lines)
  expect([...all].sort()).toEqual(Array.from({ length: clients }, (_, k) => Array.from({ length: lines }, (_, i) => `c${k} ${i}`)).flat().sort())
  for (let k = 0; k < clients; k++) {
    const holders = read.filter((events) => events.some((line) => line.startsWith(`c${k} `)))
    expect(holders.length).toBe(1)
    expect(holders[0]!.filter((line) => line.startsWith(`c${k} `))).toEqual(Array.from({ length: lines }, (_, i) => `c${k} ${i}`))
  }
  // connections were spread: more than one instance read some
  expect(read.filter((events) => events.length > 0).length).toBeGreaterThan(1)
}

describe("tcp source instances", () => {
  it.live("instances = 3: three DataSources fed by one listener; each line once, each connection in one instance, in order", () =>
    leakChecked(Effect.gen(function*() {
      const params = yield* ParamMap.decodeParams(Tcp.SourceParams, { port: 0, instances: 3 })
      const built = yield* Tcp.TcpSource.make("net", params, Tags.empty)
      expect(built.sources.map((s) => s.identifier)).toEqual(["tcp:net#0", "tcp:net#1", "tcp:net#2"])
      const { done, plane } = yield* startAcceptor(built.acceptor)
      const readers = yield* Effect.forEach(built.sources, (s) => Effect.fork(readAll(s)))
      const clients = 5
      const lines = 200
      yield* sendFromMany(built.acceptor.port, clients, lines, (k, i) => `c${k} ${i}\n`)
      yield* eventually(() => built.acceptor.stats().frames === clients * lines && built.acceptor.stats().active === 0, "every line framed")
      yield* plane.stop
      yield* done
      const results = yield* Effect.forEach(readers, Fiber.join)
      // Stop ends every instance's intake: each DataSource drains, then ends
      expect(results.map((r) => r.end)).toEqual(["SourceEof", "SourceEof", "SourceEof"])
      checkSpread(results.map((r) => r.events.map(text)), clients, lines)
      const eventIds = results.flatMap((r) => r.events.map((e) => e.eventId))
      expect(new Set(eventIds).size).toBe(clients * lines)
      // the fewest open connections first: 5 connections open at once go 2, 2, 1
      expect(built.acceptor.stats().instances).toEqual([{ accepted: 2, active: 0 }, { accepted: 2, active: 0 }, { accepted: 1, active: 0 }])
    })))

  it.live("instances = 1 (the default) is one DataSource named as before", () =>
    leakChecked(Effect.gen(function*() {
      const params = yield* ParamMap.decodeParams(Tcp.SourceParams, { port: 0 })
      const built = yield* Tcp.TcpSource.make("net", params, Tags.empty)
      expect(built.sources.map((s) => s.identifier)).toEqual(["tcp:net"])
      expect(built.source).toBe(built.sources[0])
      expect(built.acceptor.stats().instances).toEqual([{ accepted: 0, active: 0 }])
    })))

  it.live("the factory hands the engine one DataSource per instance and one acceptor", () =>
    leakChecked(Effect.gen(function*() {
      const factory = yield* Effect.flatMap(ConnectorRegistry.ConnectorRegistry, (r) => r.sourceFactory("tcp")).pipe(
        Effect.provide(ConnectorRegistry.fromConnectors(Tcp.layer))
      )
      const spec = { name: "net", kind: "tcp", connectorId: "tcp-src", params: { port: 0, instances: 4 }, tags: [] }
      const svc = yield* factory.build(spec, SourceFactory.buildCtx(os.tmpdir()))
      expect(svc.sources.map((h) => h.source.identifier)).toEqual(["tcp:net#0", "tcp:net#1", "tcp:net#2", "tcp:net#3"])
      expect(svc.sources.map((h) => h.metadata.name)).toEqual(["net", "net", "net", "net"])
      expect(Option.map(svc.acceptor, (a) => a.name)).toEqual(Option.some("tcp:net"))
    })))

  it.live("the engine pulls every instance: lines of several connections all reach the sink", () =>
    leakChecked(Effect.gen(function*() {
      const workRoot = fs.mkdtempSync(path.join(os.tmpdir(), "wpc-tcp-instances-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(workRoot, { recursive: true, force: true })))
      const inPort = yield* freePort
      const out = yield* collector()
      const spec: Pipeline.PipelineSpec = {
        workRoot,
        sources: [{ spec: { name: "in", kind: "tcp", connectorId: "tcp-src", params: { port: inPort, instances: 3 }, tags: [] }, enabled: true }],
        groups: [{
          name: "g",
          filter: Option.none(),
          sinks: [{
            spec: { group: "g", name: "out", kind: "tcp", connectorId: "tcp-sink", params: { port: out.port }, filter: Option.none() },
            replicaCnt: 1,
            rateLimitRps: 0
          }]
        }]
      }
      const ready = yield* Deferred.make<Engine.Engine>()
      const run = yield* Effect.fork(
        Engine.runPipeline(spec, { batchWait: Duration.zero }, (engine) => Deferred.succeed(ready, engine)).pipe(
          Effect.provide(ConnectorRegistry.fromConnectors(Tcp.layer))
        )
      )
      const engine = yield* Deferred.await(ready)
      yield* sendFromMany(inPort, 4, 100, (k, i) => `c${k} ${i}\n`)
      yield* eventually(() => out.received().toString().split("\n").length === 401, "every line downstream")
      yield* engine.stop
      const report = yield* Fiber.join(run)
      expect(report.status).toBe("stopped")
      expect(report.eventsIn).toBe(400)
      const got = out.received().toString().trimEnd().split("\n")
      expect([...got].sort()).toEqual(Array.from({ length: 4 }, (_, k) => Array.from({ length: 100 }, (_, i) => `c${k} ${i}`)).flat().sort())
      // one sink writes each connection's lines in the order they were read
      for (let k = 0; k < 4; k++) {
        expect(got.filter((line) => line.startsWith(`c${k} `))).toEqual(Array.from({ length: 100 }, (_, i) => `c${k} ${i}`))
      }
    })))

  it.effect("0, 65 and a string are refused at params.instances", () =>
    Effect.gen(function*() {
      for (const bad of [0, 65, "x"]) {
        const error = yield* Effect.flip(ParamMap.decodeParams(Tcp.SourceParams, { instances: bad }))
        expect(error).toBeInstanceOf(ConfigError)
        expect(error.path).toBe("params.instances")
      }
      const zero = yield* Effect.flip(ParamMap.decodeParams(Tcp.SourceParams, { instances: 0 }))
      expect(zero.message).toContain("from 1 to 64")
      expect(Either.isRight(yield* Effect.either(ParamMap.decodeParams(Tcp.SourceParams, { instances: 64 })))).toBe(true)
    }))

  it.live("instances > 1 with buffer = \"disk\" is a ConfigError naming both params", () =>
    leakChecked(Effect.gen(function*() {
      const params = yield* ParamMap.decodeParams(Tcp.SourceParams, { port: 0, instances: 2, buffer: "disk" })
      const error = asConfigError(yield* Effect.flip(Tcp.TcpSource.make("net", params, Tags.empty)))
      expect(error.path).toBe("params.instances")
      expect(error.message).toContain("buffer = \"disk\"")
      expect(error.message).toContain("params.buffer")
    })))
})

describe("syslog source instances (TCP)", () => {
  it.live("instances = 3: each message once, each connection in one instance, in order", () =>
    leakChecked(Effect.gen(function*() {
      const params = yield* ParamMap.decodeParams(Syslog.SourceParams, { port: 0, protocol: "tcp", instances: 3, header_mode: "strip" })
      const built = yield* Syslog.SyslogSource.make("logs", params, Tags.empty)
      expect(built.sources.map((s) => s.identifier)).toEqual(["syslog:logs#0", "syslog:logs#1", "syslog:logs#2"])
      const { done, plane } = yield* startAcceptor(built.acceptor)
      const readers = yield* Effect.forEach(built.sources, (s) => Effect.fork(readAll(s)))
      const clients = 4
      const lines = 100
      const message = (k: number, i: number) => `<34>Oct 11 22:14:15 host app: c${k} ${i}`
      // octet-counted on some connections, LF on the others
      yield* sendFromMany(built.acceptor.port, clients, lines, (k, i) =>
        k % 2 === 0 ? `${Buffer.byteLength(message(k, i))} ${message(k, i)}` : `${message(k, i)}\n`)
      const acceptor = built.acceptor as Tcp.TcpAcceptor.TcpAcceptor
      yield* eventually(() => acceptor.stats().frames === clients * lines && acceptor.stats().active === 0, "every message framed")
      yield* plane.stop
      yield* done
      const results = yield* Effect.forEach(readers, Fiber.join)
      expect(results.map((r) => r.end)).toEqual(["SourceEof", "SourceEof", "SourceEof"])
      checkSpread(results.map((r) => r.events.map(text)), clients, lines)
      expect(acceptor.stats().instances.map((i) => i.accepted)).toEqual([2, 1, 1])
    })))

  it.effect("0, 65 and a string are refused at params.instances", () =>
    Effect.gen(function*() {
      for (const bad of [0, 65, "x"]) {
        const error = yield* Effect.flip(ParamMap.decodeParams(Syslog.SourceParams, { instances: bad }))
        expect(error).toBeInstanceOf(ConfigError)
        expect(error.path).toBe("params.instances")
      }
    }))

  it.live("instances > 1 over UDP, or with buffer = \"disk\", is a ConfigError at params.instances", () =>
    leakChecked(Effect.gen(function*() {
      const udp = yield* ParamMap.decodeParams(Syslog.SourceParams, { port: 0, protocol: "udp", instances: 2 })
      const overUdp = asConfigError(yield* Effect.flip(Syslog.SyslogSource.make("logs", udp, Tags.empty)))
      expect(overUdp.path).toBe("params.instances")
      expect(overUdp.message).toContain("params.protocol")
      const disk = yield* ParamMap.decodeParams(Syslog.SourceParams, { port: 0, protocol: "tcp", instances: 2, buffer: "disk" })
      const withDisk = asConfigError(yield* Effect.flip(Syslog.SyslogSource.make("logs", disk, Tags.empty)))
      expect(withDisk.path).toBe("params.instances")
      expect(withDisk.message).toContain("params.buffer")
    })))
})
