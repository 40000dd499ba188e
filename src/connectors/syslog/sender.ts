/**
 * `Sender`: how the `syslog` sink puts messages on the wire, over UDP (`UdpSender`) or TCP (`TcpSender`).
 *
 * @since 0.2.0
 */
import type { Effect } from "effect"
import type { SinkError } from "../../errors/sink.js"

/** Sends whole syslog messages, in order. */
export interface Sender {
  /** Sends `messages` (each one unframed syslog message); succeeds once all of them were handed to the OS. */
  readonly send: (messages: ReadonlyArray<string | Uint8Array>) => Effect.Effect<void, SinkError>
  /** Drops the connection and opens a new one (TCP); nothing to do over UDP. */
  readonly reconnect: Effect.Effect<void, SinkError>
  /** Closes the socket, letting what was written go out first; later sends fail. Idempotent. */
  readonly close: Effect.Effect<void>
}
