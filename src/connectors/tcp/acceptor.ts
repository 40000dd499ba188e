/**
 * `TcpAcceptor`: a TCP server that frames what its clients send and queues one event per frame in an
 * `Intake`. `bind` listens at once (an address in use is a `ConfigError`); connections that arrive
 * before `acceptConnection` wait paused. While serving, a full intake pauses the socket that filled
 * it (TCP's own flow control then slows the client); each connection holds at most one partial frame.
 * A connection that sends nothing for the idle timeout (counted only while it is read: a socket paused
 * by a full intake is not idle) is reset, and so is one over `maxConnections`, at once, so its client
 * learns that what it writes is lost; both are logged at most once per `logInterval`. On Stop it stops
 * accepting, emits each connection's partial frame, closes the connections and ends the intake, so the
 * source drains what was queued and ends. With `tls` it serves TLS: a connection counts once its
 * handshake is done and its client certificate passed (`Tls.refusedClient`); a failed handshake or a
 * refused client certificate is counted (`tlsRefused`) and logged, throttled. With several `instances`
 * (a source's workers, each an intake read by its own `DataSource`) each accepted connection goes to
 * the instance with the fewest open connections (ties in turn), and stays with it: its frames keep
 * their order in that one intake.
 *
 * @since 0.1.0
 */
import * as net from "node:net"
import type * as tls from "node:tls"
import { Deferred, Duration, Effect, Exit, FiberSet, Option, type Scope } from "effect"
import type { ConfigError } from "../../errors/config.js"
import { SourceError } from "../../errors/source.js"
import type * as RawData from "../../model/raw.js"
import type { CtrlRx } from "../../source/control.js"
import type { SourceEvent } from "../../source/event.js"
import type { Intake } from "../net/intake.js"
import { hostPort, listenTcp } from "../net/listen.js"
import { awaitStop, type Listener } from "../net/listener.js"
import * as ReusedRead from "../net/reused-read.js"
import { type FrameEmit, type FrameFlag, type Framing, FrameDecoder, Partial, Truncated } from "./framing.js"
import * as LogThrottle from "../../runtime/log-throttle.js"
import * as Tls from "../net/tls.js"
import * as NodeBuiltins from "../../platform/node-builtins.js"

/** Counters of a `TcpAcceptor` since it was bound. */
export interface TcpStats {
  /** Connections accepted. */
  readonly accepted: number
  /** Connections refused (over `max_connections`, or while stopping), reset at once. */
  readonly refused: number
  /** Connections reset because they sent nothing for the idle timeout. */
  readonly idleClosed: number
  /** Connections open now. */
  readonly active: number
  /** Bytes read from sockets. */
  readonly bytes: number
  /** Frames queued as events. */
  readonly frames: number
  /** Frames longer than the limit, queued as their head. */
  readonly truncated: number
  /** Frames cut short by their connection's end, queued as they were. */
  readonly partial: number
  /** Connections closed because their bytes were not framed as announced (`octet-counted`). */
  readonly framingErrors: number
  /** Times a socket was paused because the intake was full. */
  readonly pauses: number
  /** TLS handshakes that failed (a client certificate refused, no common version, not TLS at all). */
  readonly tlsRefused: number
  /** Per instance, in `BindOptions.instances`' order: connections it was given, and those open now. */
  readonly instances: ReadonlyArray<{ readonly accepted: number; readonly active: number }>
}

/** One instance the connections are spread over: the intake its frames go to, and how a frame becomes its event. */
export interface Instance {
  /** Where the events go. */
  readonly intake: Intake
  /** The event of one frame received from `peer`. */
  readonly toEvent: (payload: RawData.RawData, flag: FrameFlag, peer: string | undefined) => SourceEvent
}

/**
 * A bound TCP server feeding an intake; it reads from its clients once `acceptConnection` runs.
 * `shutdown` stops accepting, closes every connection (queuing their partial frames) and ends the intake.
 */
export interface TcpAcceptor extends Listener {
  /** A snapshot of its counters. */
  readonly stats: () => TcpStats
}

/** What `bind` needs. */
export interface BindOptions {
  /** Who listens, for messages: `"tcp source web"`. */
  readonly what: string
  readonly addr: string
  readonly port: number
  readonly framing: Framing
  readonly maxConnections: number
  readonly maxFrameBytes: number
  /** A connection that sends nothing for this long while it is read is reset; zero: never. */
  readonly idleTimeout: Duration.DurationInput
  /** At most one log line of refusals (and one of idle connections reset) per this; default `logInterval`. */
  readonly logInterval?: Duration.Duration | undefined
  /** Serve TLS (see `Tls.serverOptions`); plain TCP without. */
  readonly tls?: Tls.Server | undefined
  /** The instances (at least one) each connection is given to, for good. */
  readonly instances: ReadonlyArray<Instance>
}

/** The default `logInterval`: refusals and idle connections are logged at most once per 10 s each. */
export const logInterval: Duration.Duration = Duration.seconds(10)

/** How long closing waits for the server and its sockets to be closed. */
const closeWait: Duration.Duration = Duration.seconds(2)

type State = "bound" | "serving" | "stopped"

/** One client connection. */
interface Connection {
  /** Starts reading (and watching for idleness). */
  readonly start: () => void
  /** Reads what the socket still buffers, queues the partial frame, and closes the socket. */
  readonly close: () => void
}

/** Discards a socket error: the socket is being reset, nobody waits for it. */
const ignore = (): void => undefined

/**
 * Resets `socket` (an RST, not a FIN); a TLS socket (`encrypted`, as `tls.TLSSocket` marks itself: no
 * `instanceof`, which would load `node:tls` for plain TCP), whose handle is not a TCP one, is destroyed instead.
 */
const reset = (socket: net.Socket): void => {
  if ((socket as net.Socket & { readonly encrypted?: boolean }).encrypted === true) socket.destroy()
  else socket.resetAndDestroy()
}

/**
 * Binds the server in the current Scope: a failed listen is a `ConfigError` naming addr:port and leaves
 * nothing open; closing the Scope closes the server and every connection, and ends the intake.
 */
export const bind = (options: BindOptions): Effect.Effect<TcpAcceptor, ConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const { framing, instances, maxConnections, maxFrameBytes, what } = options
    if (instances.length === 0) return yield* Effect.dieMessage(`${what}: an acceptor needs at least one instance`)
    const run = yield* FiberSet.makeRuntime<never, void, never>()
    const warn = (message: string) => {
      run(Effect.logWarning(message))
    }
    const idleTimeout = Duration.decode(options.idleTimeout)
    const idleMs = Duration.toMillis(idleTimeout)
    const interval = options.logInterval ?? logInterval
    const every = `logged at most once per ${Duration.format(interval)}`
    const refusals = yield* LogThrottle.make({
      interval,
      line: (detail) => `${what}: refused a connection ${detail} (reset; ${every})`,
      summary: (n, last) => `${what}: refused ${n} more connections (the last ${last})`,
      log: Effect.logWarning
    })
    const idles = yield* LogThrottle.make({
      interval,
      line: (detail) => `${what}: reset an idle connection ${detail} (${every})`,
      summary: (n, last) => `${what}: reset ${n} more idle connections (the last ${last})`,
      log: Effect.logInfo
    })
    const handshakes = yield* LogThrottle.make({
      interval,
      line: (detail) => `${what}: TLS handshake failed ${detail} (${every})`,
      summary: (n, last) => `${what}: ${n} more TLS handshakes failed (the last ${last})`,
      log: Effect.logWarning
    })
    const idleDetail = `: nothing received for ${Duration.format(idleTimeout)} (idle_timeout_s)`
    let state: State = "bound"
    const connections = new Set<Connection>()
    const given = instances.map(() => 0)
    const active = instances.map(() => 0)
    let turn = 0
    /** The instance with the fewest open connections, the first from `turn` on among equals. */
    const pick = (): number => {
      const n = instances.length
      if (n === 1) return 0
      let best = turn
      for (let k = 1; k < n; k++) {
        const i = (turn + k) % n
        if (active[i]! < active[best]!) best = i
      }
      turn = (best + 1) % n
      return best
    }
    const counts = {
      accepted: 0,
      refused: 0,
      idleClosed: 0,
      bytes: 0,
      frames: 0,
      truncated: 0,
      partial: 0,
      framingErrors: 0,
      pauses: 0,
      tlsRefused: 0
    }
    // a TLS socket cannot be handed over unread (its handshake needs reading): it is paused once secured
    const secure = options.tls
    const server = secure === undefined ? net.createServer({ pauseOnConnect: true }) : NodeBuiltins.tls().createServer(secure.options)
    const closed = yield* Deferred.make<void>()
    server.on("close", () => Deferred.unsafeDone(closed, Exit.void))

    const accept = (socket: net.Socket): void => {
      const peer = socket.remoteAddress
      if (state === "stopped" || connections.size >= maxConnections) {
        counts.refused++
        // a reset, not a FIN: a client that only writes would not notice a FIN, and write into the void
        socket.on("error", ignore)
        reset(socket)
        refusals.note(`from ${peer ?? "?"}: ${state === "stopped" ? "stopping" : `max_connections (${maxConnections}) reached`}`)
        return
      }
      counts.accepted++
      const lane = pick()
      const { intake, toEvent } = instances[lane]!
      given[lane] = given[lane]! + 1
      active[lane] = active[lane]! + 1
      const decoder = new FrameDecoder(framing, maxFrameBytes)
      let batch: Array<SourceEvent> = []
      let bytes = 0
      let ended = false
      const emit: FrameEmit = (payload, size, flag) => {
        batch.push(toEvent(payload, flag, peer))
        bytes += size
        if (flag === Truncated) counts.truncated++
        else if (flag === Partial) counts.partial++
      }
      // the idle timer runs only while the socket is read: paused by a full intake, the client is not idle
      const watch = () => {
        if (idleMs > 0) socket.setTimeout(idleMs)
      }
      const unwatch = () => {
        if (idleMs > 0) socket.setTimeout(0)
      }
      const resume = () => {
        if (socket.destroyed) return
        socket.resume()
        watch()
      }
      const flush = () => {
        if (batch.length === 0) return
        const out = batch
        const n = bytes
        batch = []
        bytes = 0
        counts.frames += out.length
        if (!intake.push(out, n) && !ended) {
          counts.pauses++
          socket.pause()
          unwatch()
          intake.whenRoom(resume)
        }
      }
      const finish = () => {
        if (ended) return
        ended = true
        decoder.end(emit)
        flush()
        connections.delete(connection)
        active[lane] = active[lane]! - 1
      }
      /** Reads what the socket still buffers (`read()` hands a paused socket's bytes to the data handler), queues the partial frame. */
      const drain = () => {
        while (!socket.destroyed && socket.read() !== null);
        finish()
      }
      const connection: Connection = {
        start: resume,
        close: () => {
          drain()
          socket.destroy()
        }
      }
      // `feed` keeps no view of a chunk: a plain TCP socket is read into the one buffer all share
      const onChunk = (chunk: Buffer) => {
        counts.bytes += chunk.length
        const error = decoder.feed(chunk, emit)
        flush()
        if (error !== undefined) {
          counts.framingErrors++
          warn(`${what}: closing the connection from ${peer ?? "?"}: ${error}`)
          finish()
          socket.destroy()
        }
      }
      if (secure !== undefined || !ReusedRead.install(socket, onChunk)) socket.on("data", onChunk)
      socket.on("close", finish)
      socket.on("timeout", () => {
        counts.idleClosed++
        idles.note(`from ${peer ?? "?"}${idleDetail}`)
        drain()
        reset(socket)
      })
      socket.on("error", (error: NodeJS.ErrnoException) => {
        run(Effect.logDebug(`${what}: connection from ${peer ?? "?"}: ${error.code ?? error.message}`))
      })
      connections.add(connection)
      if (state === "serving") connection.start()
    }
    if (secure === undefined) server.on("connection", accept)
    else {
      server.on("secureConnection", (socket: tls.TLSSocket) => {
        socket.pause()
        const refused = Tls.refusedClient(secure, socket)
        if (refused === undefined) return accept(socket)
        counts.tlsRefused++
        handshakes.note(`from ${socket.remoteAddress ?? "?"}: ${refused}`)
        socket.on("error", ignore)
        socket.destroy()
      })
      server.on("tlsClientError", (error: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
        counts.tlsRefused++
        handshakes.note(`from ${socket.remoteAddress ?? "?"}: ${error.code ?? error.message}`)
        socket.destroy()
      })
    }

    /** Waits up to `closeWait` for the server to close; interruptible even inside a finalizer. */
    const awaitClosed = Effect.timeoutOption(Effect.interruptible(Deferred.await(closed)), closeWait)

    const shutdown: Effect.Effect<void> = Effect.suspend(() => {
      if (state !== "stopped") {
        state = "stopped"
        if (server.listening) server.close()
        for (const connection of [...connections]) connection.close()
        for (const instance of instances) instance.intake.close()
      }
      return Effect.flatMap(awaitClosed, (done) =>
        Option.isSome(done) ? Effect.void : Effect.logWarning(`${what}: server still open ${Duration.format(closeWait)} after close`))
    })

    const bound = yield* Effect.acquireRelease(listenTcp(server, what, options.addr, options.port), () => shutdown)
    server.on("error", (error) => warn(`${what}: server error: ${error.message}`))
    const where = hostPort(bound.address, bound.port)

    return {
      address: bound.address,
      port: bound.port,
      stats: () => ({ ...counts, active: connections.size, instances: given.map((accepted, i) => ({ accepted, active: active[i]! })) }),
      shutdown,
      acceptConnection: (ctrl: CtrlRx) =>
        Effect.suspend(() => {
          if (state !== "bound") {
            return Effect.fail(SourceError.other(`${what}: acceptor on ${where} is already ${state === "serving" ? "serving" : "stopped"}`))
          }
          state = "serving"
          for (const connection of connections) connection.start()
          return awaitStop(ctrl).pipe(Effect.zipRight(shutdown), Effect.onInterrupt(() => shutdown))
        })
    }
  })
