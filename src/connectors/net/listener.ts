/**
 * `Listener`: what the socket listeners (`TcpAcceptor`, `UdpReceiver`) are to the sources they feed — a
 * bound server or socket that queues into an `Intake` until Stop — and `awaitStop`, how a listener
 * (the `HttpAcceptor` too) waits for the Stop that ends it.
 *
 * @since 0.1.0
 */
import { Effect, Exit, Queue } from "effect"
import type { CtrlRx } from "../../source/control.js"
import type * as DataSource from "../../source/data-source.js"
import type { ServiceAcceptor } from "../../source/factory.js"
import type { Intake } from "./intake.js"

/** A bound server or socket that feeds an intake; `acceptConnection` serves until Stop. */
export interface Listener extends ServiceAcceptor {
  /** The address it is bound to. */
  readonly address: string
  /** The port it is bound to (the OS's pick when asked for port 0). */
  readonly port: number
  /** Stops listening, closes what it holds and ends the intake. Idempotent. */
  readonly shutdown: Effect.Effect<void>
}

/**
 * A built listener source: the `DataSource` the engine pulls, the listener that feeds it, and the queue
 * between them; with several instances, `source` and `intake` are the first's, `sources` all of them.
 */
export interface Built<L extends Listener> {
  readonly source: DataSource.DataSource
  readonly sources: ReadonlyArray<DataSource.DataSource>
  readonly acceptor: L
  readonly intake: Intake
}

/** Waits until `ctrl` carries Stop (or is shut down); Isolate and Seek do not concern a listener. */
export const awaitStop = (ctrl: CtrlRx): Effect.Effect<void> =>
  Effect.iterate(false, {
    while: (stop) => !stop,
    body: () => Effect.map(Effect.exit(Queue.take(ctrl)), (exit) => Exit.isFailure(exit) || exit.value._tag === "Stop")
  })
