/**
 * The project's own `syslog` source as the receiver of the `syslog` sink tests: bound on a free port,
 * serving, read back from its intake without a pipeline.
 */
import { Effect, Option, type Scope } from "effect"
import { ParamMap, type SourceBatch, Tags } from "../../../src/index.js"
import * as Syslog from "../../../src/connectors/syslog/index.js"
import { startAcceptor } from "../tcp/harness.js"

/** One event as the source made it. */
export type Event = SourceBatch[number]

/** A serving syslog source. */
export interface SourceReceiver {
  readonly port: number
  /** Every event received so far, in order. */
  readonly events: Effect.Effect<ReadonlyArray<Event>>
  /** Stops listening: its port is closed, its connections too. */
  readonly stop: Effect.Effect<void>
}

/** A syslog source with `params` (port 0 unless given), serving in the current Scope. */
export const sourceReceiver = (params: ParamMap.ParamMap = {}): Effect.Effect<SourceReceiver, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    const decoded = yield* ParamMap.decodeParams(Syslog.SourceParams, { port: 0, ...params })
    const built = yield* Syslog.SyslogSource.make("receiver", decoded, Tags.empty)
    yield* startAcceptor(built.acceptor)
    const received: Array<Event> = []
    const events = Effect.sync(() => {
      for (let batch = built.intake.poll(65536); Option.isSome(batch); batch = built.intake.poll(65536)) received.push(...batch.value)
      return received.slice()
    })
    return { port: built.acceptor.port, events, stop: built.acceptor.shutdown }
  })

/** The text of an event's payload. */
export const text = (e: Event): string => (typeof e.payload === "string" ? e.payload : Buffer.from(e.payload).toString("utf8"))
