import * as net from "node:net"
import { Duration, Effect, Option, type Scope } from "effect"
import { ControlPlane, type DataSource, type SourceBatch } from "../../../src/index.js"
import { freePort as TestkitFreePort, OpenHandles } from "../../../src/testkit/index.js"

/** Runs `body` in its own Scope, then checks that everything it opened (sockets, servers, timers, fds) was closed. */
export const leakChecked = <A, E>(body: Effect.Effect<A, E, Scope.Scope>): Effect.Effect<A, E | Error> =>
  Effect.gen(function*() {
    const before = yield* OpenHandles.snapshot
    const out = yield* Effect.scoped(body)
    const left = yield* OpenHandles.settledSince(before)
    if (Option.isSome(left)) return yield* Effect.fail(new Error(`left open: ${left.value}`))
    return out
  })

/** A client connection to 127.0.0.1. */
export interface Client {
  readonly socket: net.Socket
  /** Writes and waits until the socket accepted the bytes. */
  readonly write: (bytes: string | Uint8Array) => Effect.Effect<void>
  /** Resolves once the connection is closed (by either side). */
  readonly closed: Effect.Effect<void>
}

/** Connects to 127.0.0.1:`port`; the socket is destroyed when the Scope closes. */
export const connect = (port: number): Effect.Effect<Client, Error, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<Client, Error>((resume) => {
      const socket = net.connect(port, "127.0.0.1")
      const closed = new Promise<void>((done) => socket.on("close", () => done()))
      socket.on("error", () => undefined) // resets are expected in these tests: `closed` reports them
      socket.once("connect", () =>
        resume(Effect.succeed({
          socket,
          closed: Effect.promise(() => closed),
          write: (bytes) => Effect.async<void>((written) => void socket.write(bytes, () => written(Effect.void)))
        })))
      socket.once("error", (e) => resume(Effect.fail(e)))
    }),
    (client) => Effect.sync(() => client.socket.destroy())
  )

/** Sends `bytes` on a fresh connection and closes it gracefully (FIN) once written. */
export const send = (port: number, bytes: string | Uint8Array): Effect.Effect<void, Error> =>
  Effect.scoped(Effect.gen(function*() {
    const client = yield* connect(port)
    yield* client.write(bytes)
    client.socket.end()
    yield* client.closed
  }))

/** Receives batches until `count` events arrived (each receive bounded by a timeout). */
export const receiveN = (source: DataSource.DataSource, count: number, timeout = Duration.seconds(5)) =>
  Effect.gen(function*() {
    const out: Array<SourceBatch[number]> = []
    while (out.length < count) {
      const batch = yield* Effect.timeoutFail(source.receive, {
        duration: timeout,
        onTimeout: () => new Error(`only ${out.length} of ${count} events arrived`)
      })
      out.push(...batch)
    }
    return out
  })

/** The text of an event payload. */
export const text = (e: SourceBatch[number]): string => (typeof e.payload === "string" ? e.payload : Buffer.from(e.payload).toString())

/** Runs `acceptConnection` of `acceptor` in the Scope with a fresh control plane; yields the plane and the fiber's end. */
export const startAcceptor = (acceptor: { readonly acceptConnection: (ctrl: ControlPlane.CtrlRx) => Effect.Effect<void, unknown, Scope.Scope> }) =>
  Effect.gen(function*() {
    const plane = yield* ControlPlane.make
    const ctrl = yield* plane.subscribe
    const fiber = yield* Effect.forkScoped(acceptor.acceptConnection(ctrl))
    return { plane, done: Effect.asVoid(fiber.await) }
  })

/** Waits (up to 5 s) until `check` holds. */
export const eventually = (check: () => boolean, what: string): Effect.Effect<void, Error> =>
  Effect.gen(function*() {
    for (let i = 0; i < 500; i++) {
      if (check()) return
      yield* Effect.sleep(Duration.millis(10))
    }
    return yield* Effect.fail(new Error(`timed out waiting for ${what}`))
  })

/** A client flooding the server with numbered lines (`<i> <fill x 999>`), paused by backpressure. */
export interface Flood {
  readonly client: Client
  /** The bytes written: `count` lines of 1000 bytes each. */
  readonly payload: Buffer
  readonly count: number
  /** Whether the client's write completed (the server read everything). */
  readonly written: () => boolean
  /** The leading numbers of `events`' lines, to compare with `0 .. count-1`. */
  readonly numbers: (events: ReadonlyArray<SourceBatch[number]>) => Array<number>
}

/**
 * Connects to `port` and writes 16 Ki lines of 1000 bytes made of `fill` (16 MiB: more than both kernels'
 * socket buffers hold) in one write, then waits until `acceptor` paused the socket.
 */
export const floodUntilPaused = (
  port: number,
  acceptor: { readonly stats: () => { readonly pauses: number } },
  fill: string
): Effect.Effect<Flood, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const count = 16 * 1024
    const line = fill.repeat(999)
    const payload = Buffer.from(Array.from({ length: count }, (_, i) => `${i} ${line}\n`).join(""))
    const client = yield* connect(port)
    let written = false
    client.socket.write(payload, () => {
      written = true
    })
    yield* eventually(() => acceptor.stats().pauses > 0, "the socket to be paused")
    return { client, payload, count, written: () => written, numbers: (events) => events.map((e) => Number(text(e).split(" ")[0])) }
  })

/** A port that is free now (bound and released at once). */
export const freePort: Effect.Effect<number> = Effect.orDie(TestkitFreePort)

/** A real loopback server that keeps every byte it receives; `kill` resets its connections and closes it. */
export interface Collector {
  readonly port: number
  readonly received: () => Buffer
  readonly connections: () => number
  readonly ended: () => number
  readonly kill: Effect.Effect<void>
}

export const collector = (port = 0) =>
  Effect.acquireRelease(
    Effect.async<Collector>((resume) => {
      const chunks: Array<Buffer> = []
      const sockets = new Set<net.Socket>()
      let ended = 0
      const server = net.createServer((socket) => {
        sockets.add(socket)
        socket.on("data", (c: Buffer) => chunks.push(c))
        socket.on("end", () => ended++)
        socket.on("close", () => sockets.delete(socket))
        socket.on("error", () => undefined)
      })
      const kill = Effect.async<void>((done) => {
        if (!server.listening) return done(Effect.void)
        server.close(() => done(Effect.void))
        for (const s of sockets) s.resetAndDestroy()
      })
      server.listen(port, "127.0.0.1", () =>
        resume(Effect.succeed({
          port: (server.address() as net.AddressInfo).port,
          received: () => Buffer.concat(chunks),
          connections: () => sockets.size,
          ended: () => ended,
          kill
        })))
    }),
    (c) => c.kill
  )
