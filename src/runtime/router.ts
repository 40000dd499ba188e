/**
 * `Router`: where one source's batches go. A `Route` is a filter (its sink group's and its sink's,
 * combined) and the replicas of that sink; a source always uses the same replica of a route (chosen by
 * its name), so its events stay in order there. `offer` hands each sink the events its filter selects,
 * in one synchronous step while the queues have room; only an offer that must wait for room is an
 * Effect (backpressure reaches the source).
 *
 * @since 0.1.0
 */
import { type Clock, Effect } from "effect"
import type * as RecordEncoder from "../sink/record-encoder.js"
import { batchBytes, SourceEvent } from "../source/event.js"
import * as Filter from "./filter.js"
import type * as SinkQueue from "./sink-queue.js"

/** One sink as the router sees it: its filter, and the queue and record encoder (if any) of each of its replicas. */
export interface Route {
  readonly filter: Filter.Filter
  readonly queues: ReadonlyArray<SinkQueue.SinkQueue>
  readonly encoders?: ReadonlyArray<RecordEncoder.RecordEncoder | undefined> | undefined
}

/**
 * The routes of a running pipeline, which a reload replaces: each router reads `current` at every offer
 * and takes the new routes from its next batch on (one comparison per batch when nothing changed).
 */
export interface RouteTable {
  current: ReadonlyArray<Route>
  /** Where what no route selects goes (the `default` groups' routes); empty: nowhere (it is counted). */
  fallback: ReadonlyArray<Route>
}

/** A table of fixed `routes` (and `fallback`). */
export const fixed = (routes: ReadonlyArray<Route>, fallback: ReadonlyArray<Route> = []): RouteTable => ({ current: routes, fallback })

/** The router of one source. */
export interface Router {
  /**
   * Offers a batch (`bytes` of payload) to every sink that selects some of its events; `complete` runs
   * once, when every one of them wrote (or rescued) its share, or at once when no sink selects one. The
   * Effect waits for room where a queue is full, and yields to a sink that was waiting for this batch.
   */
  readonly offer: (events: ReadonlyArray<SourceEvent>, bytes: number, complete: () => void) => Effect.Effect<void>
}

const stringHash = (s: string): number => {
  let h = 0
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0
  return h >>> 0
}

/** A route's target for one source: the filter, whether it takes everything, and the replica's queue. */
interface Target {
  readonly filter: Filter.Filter
  readonly always: boolean
  readonly queue: SinkQueue.SinkQueue
  readonly encoder: RecordEncoder.RecordEncoder | undefined
}

/** `event` without its record (the sink has its encoding of it). */
const withoutRecord = (e: SourceEvent): SourceEvent =>
  new SourceEvent({ eventId: e.eventId, srcKey: e.srcKey, payload: e.payload, tags: e.tags, upsIp: e.upsIp, preproc: e.preproc, ackToken: e.ackToken })

/**
 * The item of `events` for a sink with `encoder`: each record encoded now, the events without it, so the
 * records die here and the queue holds texts (one text, joined, when all have a record and the encoder has
 * a separator); `item` as it is when none has a record.
 */
const encodedItem = (
  events: ReadonlyArray<SourceEvent>,
  encoder: RecordEncoder.RecordEncoder,
  item: SinkQueue.SinkItem
): SinkQueue.SinkItem => {
  let records = 0
  for (let k = 0; k < events.length; k++) if (events[k]!.record !== undefined) records++
  if (records === 0) return item
  const texts = new Array<string | undefined>(events.length)
  let declined = 0
  for (let k = 0; k < events.length; k++) {
    const record = events[k]!.record
    const text = record === undefined ? undefined : encoder.encode(record)
    if (record !== undefined && text === undefined) declined++
    texts[k] = text
  }
  // a declined record stays with its event (the sink's `sinkRecords` says why it cannot be written)
  const stripped = events.map((e, k) => (texts[k] === undefined ? e : withoutRecord(e)))
  if (encoder.separator !== undefined && records === events.length && declined === 0) {
    return { events: stripped, bytes: item.bytes, done: item.done, offeredAt: item.offeredAt, joined: texts.join(encoder.separator) }
  }
  return { events: stripped, bytes: item.bytes, done: item.done, offeredAt: item.offeredAt, encoded: texts }
}

/** The events of `events` that `filter` selects; each one selected is marked in `marks` (when given). */
const select = (filter: Filter.Filter, events: ReadonlyArray<SourceEvent>, marks: Uint8Array | undefined): ReadonlyArray<SourceEvent> => {
  if (marks === undefined) return events.filter((e) => Filter.matches(filter, e))
  const out: Array<SourceEvent> = []
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!
    if (Filter.matches(filter, e)) {
      out.push(e)
      marks[i] = 1
    }
  }
  return out.length === events.length ? events : out
}

/** The targets of `routes` for the source whose replica slot is `slot`. */
const targetsOf = (routes: ReadonlyArray<Route>, slot: number): ReadonlyArray<Target> =>
  routes.map((route) => ({
    filter: route.filter,
    always: Filter.isAlways(route.filter),
    queue: route.queues[slot % route.queues.length]!,
    encoder: route.encoders?.[slot % route.queues.length]
  }))

/**
 * The router of the source named `source` over `routes` (fixed, or a `RouteTable` a reload updates);
 * `onUnrouted` counts the events no route selects (each one, also in a batch that routes others). Those go
 * to the `fallback` routes (a `default` group: what their filters select of them) when there are some.
 * Offered items are stamped with `clock`'s time (the batch latency metric).
 */
export const make = (
  routes: ReadonlyArray<Route> | RouteTable,
  source: string,
  clock: Clock.Clock,
  onUnrouted: (events: number) => void,
  fallback: ReadonlyArray<Route> = []
): Router => {
  const slot = stringHash(source)
  const table: RouteTable = "current" in routes ? routes : fixed(routes, fallback)
  let routed = table.current
  let routedFallback = table.fallback
  let targets = targetsOf(routed, slot)
  let fallbackTargets = targetsOf(routedFallback, slot)
  // with a route that takes everything, no event is left over: nothing to mark
  let anyAlways = targets.some((t) => t.always)
  return {
    offer: (events, bytes, complete) => {
      if (table.current !== routed || table.fallback !== routedFallback) {
        routed = table.current
        routedFallback = table.fallback
        targets = targetsOf(routed, slot)
        fallbackTargets = targetsOf(routedFallback, slot)
        anyAlways = targets.some((t) => t.always)
      }
      let pending = 0
      const done = () => {
        pending -= 1
        if (pending === 0) complete()
      }
      const now = clock.unsafeCurrentTimeMillis()
      let wait: Array<Effect.Effect<void>> | undefined
      let handOver = false
      const hand = (target: Target, sub: ReadonlyArray<SourceEvent>) => {
        const plain: SinkQueue.SinkItem = { events: sub, bytes: sub === events ? bytes : batchBytes(sub), done, offeredAt: now }
        const item = target.encoder === undefined ? plain : encodedItem(sub, target.encoder, plain)
        pending += 1
        const idle = target.queue.consumerWaiting()
        if (target.queue.unsafeOffer(item)) handOver = handOver || idle
        else (wait ??= []).push(target.queue.offer(item))
      }
      const marks = anyAlways || events.length === 0 ? undefined : new Uint8Array(events.length)
      for (const target of targets) {
        const sub = target.always ? events : select(target.filter, events, marks)
        if (sub.length > 0) hand(target, sub)
      }
      if (marks !== undefined) {
        const left: Array<SourceEvent> = []
        for (let i = 0; i < events.length; i++) if (marks[i] === 0) left.push(events[i]!)
        if (left.length > 0) {
          onUnrouted(left.length)
          const leftover = left.length === events.length ? events : left
          for (const target of fallbackTargets) {
            const sub = target.always ? leftover : leftover.filter((e) => Filter.matches(target.filter, e))
            if (sub.length > 0) hand(target, sub)
          }
        }
      }
      if (pending === 0) {
        complete()
        return Effect.void
      }
      // a sink worker was waiting for this batch: let it take the batch while it is young (a source that
      // runs ahead fills the queue, and every queued event survives a young-generation GC)
      if (wait !== undefined) return Effect.forEach(wait, (offer) => offer, { discard: true })
      return handOver ? Effect.yieldNow() : Effect.void
    }
  }
}
