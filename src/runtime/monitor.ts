/**
 * `Monitor`: the engine's own counters as events, for WarpParse's `monitor` infra group. Every
 * `monitorInterval`, and once more when the sources have ended (before the drain), one event per source
 * and per sink goes to the group's sinks: its record holds the counters (`kind`, `name`, `events`,
 * `bytes`, and for a sink `group`, `rescued`, `retries`, `errors`; `elapsed_ms` since the start), its
 * payload is the same as `key=value` text. They have no source to ack.
 *
 * @since 0.3.0
 */
import { type Clock, Effect, Option } from "effect"
import * as DataRecord from "../model/record.js"
import * as Tags from "../model/tags.js"
import * as SourceEvent from "../source/event.js"
import * as Router from "./router.js"
import type * as RunState from "./run-state.js"

/** The source key of monitor events. */
export const srcKey = "monitor"

const digit = (n: number): DataRecord.Value => Option.getOrElse(DataRecord.digit(n), () => DataRecord.float(n))

/** One monitor event of the given fields. */
const event = (eventId: number, fields: ReadonlyArray<DataRecord.DataField>): SourceEvent.SourceEvent => {
  const record = DataRecord.make(fields)
  return SourceEvent.make({ eventId, srcKey, payload: DataRecord.toKv(record), tags: Tags.make({ kind: "monitor" }), record })
}

/** The counters of `state` at `elapsed` ms as events, numbered from `firstId`: the sources, then the sinks. */
export const records = (state: RunState.RunState, elapsed: number, firstId: number): ReadonlyArray<SourceEvent.SourceEvent> => {
  const out: Array<SourceEvent.SourceEvent> = []
  const at = DataRecord.field("elapsed_ms", digit(elapsed))
  for (const s of state.sources) {
    out.push(event(firstId + out.length, [
      DataRecord.field("kind", DataRecord.chars("source")),
      DataRecord.field("name", DataRecord.chars(s.name)),
      DataRecord.field("events", digit(s.events)),
      DataRecord.field("bytes", digit(s.bytes)),
      DataRecord.field("acked", digit(s.acked)),
      at
    ]))
  }
  for (const s of state.sinks) {
    out.push(event(firstId + out.length, [
      DataRecord.field("kind", DataRecord.chars("sink")),
      DataRecord.field("group", DataRecord.chars(s.group)),
      DataRecord.field("name", DataRecord.chars(s.name)),
      DataRecord.field("events", digit(s.events)),
      DataRecord.field("bytes", digit(s.bytes)),
      DataRecord.field("rescued", digit(s.rescued)),
      DataRecord.field("retries", digit(s.retries)),
      DataRecord.field("errors", digit(s.errors)),
      at
    ]))
  }
  return out
}

/** Emits the counters of a run to the monitor group's routes. */
export interface Monitor {
  /** Offers one event per source and sink (waits for room in the sinks' queues). */
  readonly emit: Effect.Effect<void>
}

/** A monitor of `state` offering to `routes`. */
export const make = (state: RunState.RunState, routes: ReadonlyArray<Router.Route> | Router.RouteTable, clock: Clock.Clock): Monitor => {
  const router = Router.make(routes, srcKey, clock, () => undefined)
  let next = 0
  return {
    emit: Effect.suspend(() => {
      const events = records(state, clock.unsafeCurrentTimeMillis() - state.started, next)
      next += events.length
      return router.offer(events, SourceEvent.batchBytes(events), () => undefined)
    })
  }
}
