import * as net from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Logger, type Scope } from "effect"
import { ConfigError, ParamMap, Tags } from "../../../src/index.js"
import * as Syslog from "../../../src/connectors/syslog/index.js"
import type { TcpAcceptor } from "../../../src/connectors/tcp/acceptor.js"
import * as Tcp from "../../../src/connectors/tcp/index.js"
import { connect, eventually, floodUntilPaused, leakChecked, receiveN, startAcceptor, text } from "./harness.js"

/** A TCP source on a free port whose acceptor is serving. */
const serve = (overrides: ParamMap.ParamMap = {}) =>
  Effect.gen(function*() {
    const params = yield* ParamMap.decodeParams(Tcp.SourceParams, { port: 0, ...overrides })
    const built = yield* Tcp.TcpSource.make("net", params, Tags.empty)
    const { done, plane } = yield* startAcceptor(built.acceptor)
    return { ...built, port: built.acceptor.port, plane, done }
  })

/** Fails with `what` unless `effect` completes within 10 s. */
const within = <A, E, R>(effect: Effect.Effect<A, E, R>, what: string) =>
  Effect.timeoutFail(effect, { duration: Duration.seconds(10), onTimeout: () => new Error(`timed out waiting for ${what}`) })

/** A client that, like many log shippers, only writes: it keeps writing after the server's FIN (half-open). */
interface Writer {
  readonly socket: net.Socket
  /** The error the socket ended with, once closed (`undefined` for a clean close). */
  readonly closed: Effect.Effect<NodeJS.ErrnoException | undefined>
  /** Writes; yields the error the write failed with, or `undefined` when the socket took the bytes. */
  readonly write: (bytes: string) => Effect.Effect<Error | undefined>
}

/** Connects a `Writer`; a reset during the handshake is no failure here: `closed` reports it. */
const writer = (port: number): Effect.Effect<Writer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<Writer>((resume) => {
      const socket = net.connect({ port, host: "127.0.0.1", allowHalfOpen: true })
      let failure: NodeJS.ErrnoException | undefined
      socket.on("error", (e: NodeJS.ErrnoException) => {
        failure = e
      })
      const closed = new Promise<NodeJS.ErrnoException | undefined>((done) => socket.on("close", () => done(failure)))
      const ready = () =>
        resume(Effect.succeed({
          socket,
          closed: Effect.promise(() => closed),
          write: (bytes) => Effect.async<Error | undefined>((done) => void socket.write(bytes, (e) => done(Effect.succeed(e ?? undefined))))
        }))
      socket.once("connect", () => {
        socket.off("close", ready)
        ready()
      })
      socket.once("close", ready)
    }),
    (w) => Effect.sync(() => w.socket.destroy())
  )

/** Runs `body` with every log line it (and what it starts) writes kept in `lines`. */
const capturingLogs = <A, E, R>(lines: Array<string>, body: Effect.Effect<A, E, R>) =>
  Effect.provide(
    body,
    Logger.replace(
      Logger.defaultLogger,
      Logger.make(({ message }) => {
        lines.push((Array.isArray(message) ? message : [message]).map(String).join(" "))
      })
    )
  )

describe("tcp source connections", () => {
  it.live("idle clients are closed after idle_timeout_s, so they no longer lock real clients out", () =>
    leakChecked(Effect.gen(function*() {
      const { acceptor, port, source } = yield* serve({ max_connections: 2, idle_timeout_s: 1 })
      const a = yield* connect(port)
      const b = yield* connect(port)
      yield* eventually(() => acceptor.stats().active === 2, "two idle connections")
      const locked = yield* writer(port)
      yield* within(locked.closed, "the third client to be refused") // max_connections reached
      yield* within(a.closed, "the first idle client to be closed")
      yield* within(b.closed, "the second idle client to be closed")
      expect(acceptor.stats()).toMatchObject({ idleClosed: 2, active: 0, refused: 1 })
      const real = yield* connect(port)
      yield* real.write("real line\nanother\n")
      expect((yield* receiveN(source, 2)).map(text)).toEqual(["real line", "another"])
    })))

  it.live("a client sending slowly but steadily is not idle: never closed, every line arrives", () =>
    leakChecked(Effect.gen(function*() {
      const { acceptor, port, source } = yield* serve({ idle_timeout_s: 2 })
      const client = yield* connect(port)
      // 22 lines, one every 200 ms: 4.4 s, more than twice the timeout, each gap a tenth of it
      for (let i = 0; i < 22; i++) {
        yield* client.write(`slow ${i}\n`)
        yield* Effect.sleep(Duration.millis(200))
      }
      const events = yield* receiveN(source, 22)
      expect(events.map(text)).toEqual(Array.from({ length: 22 }, (_, i) => `slow ${i}`))
      expect(client.socket.destroyed).toBe(false)
      expect(acceptor.stats()).toMatchObject({ idleClosed: 0, active: 1 })
    })))

  it.live("a connection paused by backpressure is not idle: kept open past the timeout, nothing lost", () =>
    leakChecked(Effect.gen(function*() {
      const { acceptor, port, source } = yield* serve({ idle_timeout_s: 1, queue_events: 100, queue_bytes: 65536 })
      const { client, count, numbers, written } = yield* floodUntilPaused(port, acceptor, "z")
      // the pipeline takes nothing for 2.5 s: the socket reads nothing, yet it is the engine's stall, not the client's
      yield* Effect.sleep(Duration.millis(2500))
      expect(client.socket.destroyed).toBe(false)
      expect(acceptor.stats()).toMatchObject({ idleClosed: 0, active: 1 })
      expect(written()).toBe(false)
      const events = yield* receiveN(source, count)
      expect(numbers(events)).toEqual(Array.from({ length: count }, (_, i) => i))
      yield* eventually(written, "the client's write to complete")
      expect(acceptor.stats().idleClosed).toBe(0)
    })))

  it.live("idle_timeout_s = 0 turns the timeout off", () =>
    leakChecked(Effect.gen(function*() {
      const { acceptor, port, source } = yield* serve({ idle_timeout_s: 0 })
      const client = yield* connect(port)
      yield* Effect.sleep(Duration.millis(1500))
      expect(client.socket.destroyed).toBe(false)
      yield* client.write("still here\n")
      expect((yield* receiveN(source, 1)).map(text)).toEqual(["still here"])
      expect(acceptor.stats()).toMatchObject({ idleClosed: 0, active: 1 })
    })))

  it.live("a refused client sees its connection reset at once: its socket closes with ECONNRESET and later writes fail", () =>
    leakChecked(Effect.gen(function*() {
      const { acceptor, port, source } = yield* serve({ max_connections: 1 })
      const holder = yield* connect(port)
      yield* eventually(() => acceptor.stats().active === 1, "the first connection")
      const refused = yield* writer(port)
      const error = yield* within(refused.closed, "the refused client's socket to close")
      expect(error?.code).toBe("ECONNRESET")
      expect(yield* refused.write("lost line\n")).toBeInstanceOf(Error)
      expect(acceptor.stats()).toMatchObject({ refused: 1, active: 1 })
      yield* holder.write("kept\n")
      expect((yield* receiveN(source, 1)).map(text)).toEqual(["kept"])
    })))

  it.live("refusals are logged at most once per interval, with the count of those not logged", () => {
    const lines: Array<string> = []
    return capturingLogs(
      lines,
      leakChecked(Effect.gen(function*() {
        const { acceptor, port } = yield* serve({ max_connections: 1 })
        yield* connect(port)
        yield* eventually(() => acceptor.stats().active === 1, "the first connection")
        for (let i = 0; i < 50; i++) {
          const refused = yield* writer(port)
          yield* within(refused.closed, "a refused client to be reset")
        }
        expect(acceptor.stats().refused).toBe(50)
      }))
    ).pipe(Effect.tap(() =>
      Effect.sync(() => {
        const refusals = lines.filter((l) => l.includes("refused"))
        // one line at the first refusal, then one per 10 s interval (and one when the source stops)
        expect(refusals.length).toBeGreaterThanOrEqual(2)
        expect(refusals.length).toBeLessThanOrEqual(4)
        const counted = refusals.map((l) => {
          const n = /refused (\d+) more connections/.exec(l)
          return n === null ? 1 : Number(n[1])
        })
        expect(counted.reduce((a, b) => a + b, 0)).toBe(50)
        expect(refusals[0]).toContain("max_connections (1) reached")
      })
    ))
  })

  it.effect("idle_timeout_s: 300 by default, 0 or more; a bad value is a ConfigError naming it", () =>
    Effect.gen(function*() {
      expect((yield* ParamMap.decodeParams(Tcp.SourceParams, {})).idle_timeout_s).toBe(300)
      expect(Tcp.sourceDefs.sourceDef().defaultParams["idle_timeout_s"]).toBe(300)
      for (const bad of [-1, 1.5, "60"]) {
        const error = yield* Effect.flip(ParamMap.decodeParams(Tcp.SourceParams, { idle_timeout_s: bad }, "params"))
        expect(error).toBeInstanceOf(ConfigError)
        expect(error.path).toBe("params.idle_timeout_s")
      }
    }))
})

describe("syslog source over TCP: connections", () => {
  it.live("idle clients are closed after idle_timeout_s; refused ones are reset", () =>
    leakChecked(Effect.gen(function*() {
      expect((yield* ParamMap.decodeParams(Syslog.SourceParams, {})).idle_timeout_s).toBe(300)
      const params = yield* ParamMap.decodeParams(Syslog.SourceParams, { port: 0, protocol: "tcp", idle_timeout_s: 1, max_connections: 1 })
      const built = yield* Syslog.SyslogSource.make("logs", params, Tags.empty)
      yield* startAcceptor(built.acceptor)
      const acceptor = built.acceptor as TcpAcceptor
      const port = acceptor.port
      const idle = yield* connect(port)
      yield* eventually(() => acceptor.stats().active === 1, "the idle connection")
      const refused = yield* writer(port)
      expect((yield* within(refused.closed, "the refused client to be reset"))?.code).toBe("ECONNRESET")
      yield* within(idle.closed, "the idle client to be closed")
      const real = yield* connect(port)
      yield* real.write("<13>Oct 11 22:14:15 host app: hello\n")
      expect((yield* receiveN(built.source, 1)).map(text)).toEqual(["<13>Oct 11 22:14:15 host app: hello"])
      expect(acceptor.stats()).toMatchObject({ idleClosed: 1, refused: 1 })
    })))
})
