/**
 * `UdpReceiver`: a UDP socket that queues one event per datagram in an `Intake`. `bind` binds at once
 * (an address in use is a `ConfigError`). UDP cannot push back: when the intake is full a datagram is
 * dropped, counted in `stats().dropped`, and logged (once when drops start, once with the count when
 * they stop). On Stop it closes the socket and ends the intake.
 *
 * @since 0.1.0
 */
import type * as dgram from "node:dgram"
import * as net from "node:net"
import { Effect, FiberSet, type Scope } from "effect"
import type { ConfigError } from "../../errors/config.js"
import { SourceError } from "../../errors/source.js"
import type * as RawData from "../../model/raw.js"
import type { CtrlRx } from "../../source/control.js"
import type { SourceEvent } from "../../source/event.js"
import { decodePayload } from "../tcp/framing.js"
import type { Intake } from "../net/intake.js"
import { bindUdp, hostPort } from "../net/listen.js"
import { awaitStop, type Listener } from "../net/listener.js"
import * as NodeBuiltins from "../../platform/node-builtins.js"

/** Counters of a `UdpReceiver` since it was bound. */
export interface UdpStats {
  /** Datagrams received. */
  readonly datagrams: number
  /** Datagrams dropped because the intake was full (or stopping). */
  readonly dropped: number
  /** Bytes of the datagrams queued. */
  readonly bytes: number
}

/** A bound UDP socket feeding an intake; `shutdown` closes the socket and ends the intake. */
export interface UdpReceiver extends Listener {
  /** A snapshot of its counters. */
  readonly stats: () => UdpStats
}

/** What `bind` needs. */
export interface BindOptions {
  /** Who listens, for messages: `"syslog source web"`. */
  readonly what: string
  readonly addr: string
  readonly port: number
  /** The socket's receive buffer (`SO_RCVBUF`) to ask for; the OS may grant less. */
  readonly recvBufferSize: number
  readonly intake: Intake
  /** The event of one datagram from `peer`. */
  readonly toEvent: (payload: RawData.RawData, peer: string) => SourceEvent
}

const LF = 0x0a
const CR = 0x0d

/**
 * Binds the socket in the current Scope; datagrams are queued from then on (a trailing LF or CRLF, a
 * framing habit of some senders, is removed; an empty datagram is no message). A failed bind is a
 * `ConfigError` naming addr:port and leaves nothing open; closing the Scope closes the socket.
 */
export const bind = (options: BindOptions): Effect.Effect<UdpReceiver, ConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const { intake, toEvent, what } = options
    const run = yield* FiberSet.makeRuntime<never, void, never>()
    const warn = (message: string) => {
      run(Effect.logWarning(message))
    }
    const counts = { datagrams: 0, dropped: 0, bytes: 0 }
    /** Datagrams dropped since the intake became full; -1 while nothing is being dropped. */
    let dropping = -1
    let open = true
    const socket = NodeBuiltins.dgram().createSocket({ type: net.isIPv6(options.addr) ? "udp6" : "udp4" })

    socket.on("message", (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      counts.datagrams++
      if (intake.isFull() || intake.isClosed()) {
        counts.dropped++
        if (dropping === -1) {
          dropping = 0
          warn(`${what}: queue full (${intake.size()} events, ${intake.bytes()} bytes): dropping datagrams until the pipeline catches up`)
        }
        dropping++
        return
      }
      if (dropping !== -1) {
        warn(`${what}: dropped ${dropping} datagrams while the queue was full (${counts.dropped} in all)`)
        dropping = -1
      }
      let end = msg.length
      if (end > 0 && msg[end - 1] === LF) end--
      if (end > 0 && msg[end - 1] === CR) end--
      if (end === 0) return
      counts.bytes += end
      intake.push([toEvent(decodePayload(msg, 0, end), rinfo.address)], end)
    })

    const shutdown: Effect.Effect<void> = Effect.sync(() => {
      if (!open) return
      open = false
      socket.close()
      intake.close()
    })

    const bound = yield* Effect.acquireRelease(bindUdp(socket, what, options.addr, options.port), () => shutdown)
    socket.on("error", (error) => warn(`${what}: socket error: ${error.message}`))
    try {
      socket.setRecvBufferSize(options.recvBufferSize)
    } catch (error) {
      warn(`${what}: cannot set the receive buffer to ${options.recvBufferSize} bytes: ${String(error)}`)
    }
    const where = hostPort(bound.address, bound.port)
    let serving = false

    return {
      address: bound.address,
      port: bound.port,
      stats: () => ({ ...counts }),
      shutdown,
      acceptConnection: (ctrl: CtrlRx) =>
        Effect.suspend(() => {
          if (serving || !open) {
            return Effect.fail(SourceError.other(`${what}: receiver on ${where} is already ${open ? "serving" : "stopped"}`))
          }
          serving = true
          return awaitStop(ctrl).pipe(Effect.zipRight(shutdown), Effect.onInterrupt(() => shutdown))
        })
    }
  })
