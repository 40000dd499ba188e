/**
 * `UdpSender`: the `syslog` sink over UDP (RFC 5426): one datagram per message on a socket connected to
 * the receiver. UDP is lossy: nothing acknowledges a datagram, so one the network or a full receiver
 * drops is gone. What the sender can see is a refusal (ICMP port unreachable: nobody listens), which the
 * OS reports after the fact: a refusal reported before or while a batch is sent fails that batch with
 * `NetworkError` (202, retryable); the datagrams that drew it were lost.
 *
 * @since 0.2.0
 */
import type * as dgram from "node:dgram"
import * as net from "node:net"
import { Effect, type Scope } from "effect"
import { SinkError } from "../../errors/sink.js"
import { UnifiedReason } from "../../errors/unified.js"
import { hostPort } from "../net/listen.js"
import type { Sender } from "./sender.js"
import * as NodeBuiltins from "../../platform/node-builtins.js"

/** The largest UDP payload over IPv4 (65535 - 8 bytes of UDP header - 20 of IP header). */
export const maxDatagramBytes = 65507

/** Where to send. */
export interface Target {
  readonly addr: string
  readonly port: number
}

/**
 * A UDP sender connected to `target` in the current Scope (the socket is closed when it closes). A
 * host name that does not resolve fails with `NetworkError` (202).
 */
export const make = (target: Target): Effect.Effect<Sender, SinkError, Scope.Scope> =>
  Effect.gen(function*() {
    const where = hostPort(target.addr, target.port)
    const socket = yield* Effect.acquireRelease(
      Effect.async<dgram.Socket, SinkError>((resume) => {
        const socket = NodeBuiltins.dgram().createSocket({ type: net.isIPv6(target.addr) ? "udp6" : "udp4" })
        const onError = (error: NodeJS.ErrnoException) => {
          socket.close()
          resume(Effect.fail(SinkError.network(`syslog sink: cannot send datagrams to ${where}: ${error.code ?? error.message}`, error)))
        }
        socket.once("error", onError)
        socket.connect(target.port, target.addr, () => {
          socket.off("error", onError)
          resume(Effect.succeed(socket))
        })
      }),
      (socket) => Effect.sync(() => close(socket))
    )
    /** The last refusal the OS reported, until a batch fails with it. */
    let refused: string | undefined = undefined
    let closed = false
    socket.on("error", (error: NodeJS.ErrnoException) => {
      refused = error.code ?? error.message
    })
    const close = (s: dgram.Socket) => {
      if (closed) return
      closed = true
      s.close()
    }

    /** Fails with the refusal reported so far, when there is one (and forgets it). */
    const checkRefused = (when: string): Effect.Effect<void, SinkError> =>
      Effect.suspend(() => {
        if (refused === undefined) return Effect.void
        const why = refused
        refused = undefined
        return Effect.fail(SinkError.network(`syslog sink: ${where} refused datagrams (${why}) ${when}: nobody listens there; the datagrams that drew it were lost`))
      })

    const sendAll = (datagrams: ReadonlyArray<Uint8Array>): Effect.Effect<void, SinkError> =>
      Effect.async<void, SinkError>((resume) => {
        if (closed) return resume(Effect.fail(SinkError.stopped(`syslog:udp:${where}`)))
        let left = datagrams.length
        let failed: Error | undefined = undefined
        for (const d of datagrams) {
          socket.send(d, (error) => {
            if (error !== null && error !== undefined) failed ??= error
            if (--left > 0) return
            if (failed === undefined) resume(Effect.void)
            else resume(Effect.fail(SinkError.network(`syslog sink: sending to ${where} failed: ${(failed as NodeJS.ErrnoException).code ?? failed.message}`, failed)))
          })
        }
      })

    const send = (messages: ReadonlyArray<string | Uint8Array>): Effect.Effect<void, SinkError> =>
      Effect.suspend(() => {
        if (messages.length === 0) return Effect.void
        const datagrams = messages.map((m) => (typeof m === "string" ? Buffer.from(m, "utf8") : m))
        const tooLong = datagrams.findIndex((d) => d.length > maxDatagramBytes)
        if (tooLong >= 0) {
          return Effect.fail(SinkError.uvs(UnifiedReason.data(
            `syslog sink: message #${tooLong} of the batch is ${datagrams[tooLong]!.length} bytes, more than a UDP datagram holds (${maxDatagramBytes}); send it over tcp`
          )))
        }
        return checkRefused("before this batch").pipe(
          Effect.zipRight(sendAll(datagrams)),
          Effect.zipRight(checkRefused("while this batch was sent"))
        )
      })

    return {
      send,
      reconnect: Effect.void,
      close: Effect.sync(() => close(socket))
    }
  })
