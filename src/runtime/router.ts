/**
 * `Router`: where one source's batches go. A `Route` is a filter (its sink group's and its sink's,
 * combined) and the replicas of that sink; a source always uses the same replica of a route (chosen by
 * its name), so its events stay in order there. `offer` hands each sink the events its filter selects,
 * in one synchronous step while the queues have room; only an offer that must wait for room is an
 * Effect (backpressure reaches the source). A sink with a `RecordEncoder` gets its records as texts,
 * encoded here, or as one `Buffer` per batch when the encoder writes bytes (`RecordEncoder.Bytes`). `begin` routes a batch part by part as the processing stage makes it (each part's
 * filters run and records encoded at once, so they die young) and offers it whole (decision 131).
 *
 * @since 0.1.0
 */
import { type Clock, Effect } from "effect"
import { ByteBuilder } from "../sink/byte-builder.js"
import type * as RecordEncoder from "../sink/record-encoder.js"
import { batchBytes, type SourceEvent } from "../source/event.js"
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

/**
 * One batch being routed in parts (`Router.begin`): `add` routes each part as it is made (filters run,
 * records encoded, so a part's records die young), `offer` hands every sink its share of all the parts as
 * one item. Nothing reaches a queue before `offer`.
 */
export interface Pass {
  /** Routes the next part of the batch (in order): what each sink selects of it, its records encoded. */
  readonly add: (events: ReadonlyArray<SourceEvent>) => void
  /** How many events `add` was given so far. */
  readonly added: () => number
  /** Offers the parts added as one batch (`bytes` of payload); `complete` as `Router.offer`'s. */
  readonly offer: (bytes: number, complete: () => void) => Effect.Effect<void>
}

/** The router of one source. */
export interface Router {
  /**
   * Offers a batch (`bytes` of payload) to every sink that selects some of its events; `complete` runs
   * once, when every one of them wrote (or rescued) its share, or at once when no sink selects one. The
   * Effect waits for room where a queue is full, and yields to a sink that was waiting for this batch.
   */
  readonly offer: (events: ReadonlyArray<SourceEvent>, bytes: number, complete: () => void) => Effect.Effect<void>
  /** A batch routed part by part (see `Pass`); `offer` is `begin`, one `add` and the pass's `offer`. */
  readonly begin: () => Pass
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
  /** The builder a pass encodes this target's bytes into, while no pass has it (kept: it grows once). */
  spare: ByteBuilder | undefined
}

/**
 * What one target took of a pass so far: its events in parts (a part taken whole is kept as it is, not
 * copied) and, with an encoder, each event's text (`undefined`: no record, or declined), or while every
 * event had a record the encoder's `bytes` took, their bytes joined in `out` (`ends`: where each ends).
 */
interface Share {
  readonly target: Target
  readonly parts: Array<ReadonlyArray<SourceEvent>>
  count: number
  texts: Array<string | undefined> | undefined
  records: number
  declined: number
  /** `true` while the share is encoded into bytes (an encoder with `bytes`, and every event had a record it took). */
  asBytes: boolean
  out: ByteBuilder | undefined
  readonly ends: Array<number>
}

/** The builder `share` encodes into: its target's spare one, or a new one when a pass already has that. */
const builderOf = (share: Share): ByteBuilder => {
  if (share.out !== undefined) return share.out
  const spare = share.target.spare
  share.target.spare = undefined
  return (share.out = spare ?? new ByteBuilder())
}

/** Gives `share`'s builder back to its target, emptied. */
const giveBack = (share: Share): void => {
  const out = share.out
  if (out === undefined) return
  out.truncate(0)
  share.out = undefined
  share.target.spare = out
}

/**
 * Leaves bytes for texts (an event without a record, or one the encoder declines, came): the records
 * encoded so far become their texts again, decoded from their bytes.
 */
const toTexts = (share: Share, separator: string): void => {
  share.asBytes = false
  const out = share.out
  if (out === undefined) return
  const gap = Buffer.byteLength(separator, "utf8")
  const texts: Array<string | undefined> = []
  let start = 0
  for (const end of share.ends) {
    texts.push(out.textOf(start, end))
    start = end + gap
  }
  if (texts.length > 0) share.texts = texts
  giveBack(share)
}

/**
 * Takes what it can of `sub` into `share`'s bytes, from the first event on, stripping each event of its
 * record; how many it took (all of `sub`, or up to an event without a record or one the encoder declines,
 * after which the share goes on as texts).
 */
const takeBytes = (share: Share, sub: ReadonlyArray<SourceEvent>, encoder: RecordEncoder.RecordEncoder, bytes: RecordEncoder.Bytes): number => {
  const separator = encoder.separator ?? ""
  const out = builderOf(share)
  const stripped = new Array<SourceEvent>(sub.length)
  let k = 0
  for (; k < sub.length; k++) {
    const e = sub[k]!
    const record = e.record
    if (record === undefined) break
    const mark = out.length
    if (share.ends.length > 0 && separator.length > 0) out.text(separator)
    if (!bytes.encodeInto(record, out)) {
      out.truncate(mark)
      break
    }
    share.ends.push(out.length)
    stripped[k] = e.withoutRecord()
  }
  share.count += k
  share.records += k
  if (k > 0) share.parts.push(k === sub.length ? stripped : stripped.slice(0, k))
  if (k < sub.length) toTexts(share, separator)
  return k
}

/** Adds `sub` (what `share`'s target selected of a part) to `share`: its records encoded, the events without them. */
const take = (share: Share, sub: ReadonlyArray<SourceEvent>): void => {
  const encoder = share.target.encoder
  if (encoder === undefined) {
    share.count += sub.length
    share.parts.push(sub)
    return
  }
  if (share.asBytes) {
    const took = takeBytes(share, sub, encoder, encoder.bytes!)
    if (took < sub.length) takeTexts(share, took === 0 ? sub : sub.slice(took), encoder)
    return
  }
  takeTexts(share, sub, encoder)
}

/** `take` as texts: each record's text (`undefined` where there is none or the encoder declines it). */
const takeTexts = (share: Share, sub: ReadonlyArray<SourceEvent>, encoder: RecordEncoder.RecordEncoder): void => {
  share.count += sub.length
  let stripped: Array<SourceEvent> | undefined
  let texts = share.texts
  for (let k = 0; k < sub.length; k++) {
    const e = sub[k]!
    const record = e.record
    if (record === undefined) {
      texts?.push(undefined)
      stripped?.push(e)
      continue
    }
    // the texts start at the first record: the events before it have none
    if (texts === undefined) texts = share.texts = new Array<string | undefined>(share.count - sub.length + k).fill(undefined)
    share.records += 1
    const text = encoder.encode(record)
    texts.push(text)
    // a declined record stays with its event (the sink's `sinkRecords` says why it cannot be written)
    if (text === undefined) share.declined += 1
    else (stripped ??= sub.slice(0, k))
    if (stripped !== undefined) stripped.push(text === undefined ? e : e.withoutRecord())
  }
  share.parts.push(stripped !== undefined && stripped.length === sub.length ? stripped : sub)
}

/** The events of `parts`, one array (the part itself when there is one). */
const joinParts = (parts: ReadonlyArray<ReadonlyArray<SourceEvent>>): ReadonlyArray<SourceEvent> => {
  if (parts.length === 1) return parts[0]!
  const out: Array<SourceEvent> = []
  for (const part of parts) for (let k = 0; k < part.length; k++) out.push(part[k]!)
  return out
}

/**
 * The item of `share` (`plain` carries the rest): the texts joined by the encoder's separator when every
 * event has one, each event's text otherwise; `plain` as it is when no event had a record.
 */
const itemOf = (share: Share, plain: SinkQueue.SinkItem): SinkQueue.SinkItem => {
  const encoder = share.target.encoder
  if (share.asBytes && share.out !== undefined) {
    const joinedBytes = share.out.take()
    giveBack(share)
    return { ...plain, joinedBytes }
  }
  const texts = share.texts
  if (encoder === undefined || texts === undefined || share.records === 0) return plain
  if (encoder.separator !== undefined && share.records === share.count && share.declined === 0) {
    return { ...plain, joined: texts.join(encoder.separator) }
  }
  return { ...plain, encoded: texts }
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
    encoder: route.encoders?.[slot % route.queues.length],
    spare: undefined
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
  const share = (target: Target): Share => ({
    target,
    parts: [],
    count: 0,
    texts: undefined,
    records: 0,
    declined: 0,
    asBytes: target.encoder?.bytes !== undefined,
    out: undefined,
    ends: []
  })

  const begin = (): Pass => {
    if (table.current !== routed || table.fallback !== routedFallback) {
      routed = table.current
      routedFallback = table.fallback
      targets = targetsOf(routed, slot)
      fallbackTargets = targetsOf(routedFallback, slot)
      anyAlways = targets.some((t) => t.always)
    }
    const shares = targets.map(share)
    const always = anyAlways
    const left: Array<ReadonlyArray<SourceEvent>> = []
    let added = 0
    let offered = false
    return {
      added: () => added,
      add: (events) => {
        if (offered) throw new Error("Router: add after offer")
        added += events.length
        const marks = always || events.length === 0 ? undefined : new Uint8Array(events.length)
        for (const s of shares) {
          const sub = s.target.always ? events : select(s.target.filter, events, marks)
          if (sub.length > 0) take(s, sub)
        }
        if (marks !== undefined) {
          const rest: Array<SourceEvent> = []
          for (let i = 0; i < events.length; i++) if (marks[i] === 0) rest.push(events[i]!)
          if (rest.length > 0) left.push(rest.length === events.length ? events : rest)
        }
      },
      offer: (bytes, complete) => {
        offered = true
        let pending = 0
        const done = () => {
          pending -= 1
          if (pending === 0) complete()
        }
        const now = clock.unsafeCurrentTimeMillis()
        let wait: Array<Effect.Effect<void>> | undefined
        let handOver = false
        const hand = (s: Share) => {
          const sub = joinParts(s.parts)
          const plain: SinkQueue.SinkItem = { events: sub, bytes: s.count === added ? bytes : batchBytes(sub), done, offeredAt: now }
          const item = itemOf(s, plain)
          pending += 1
          const idle = s.target.queue.consumerWaiting()
          if (s.target.queue.unsafeOffer(item)) handOver = handOver || idle
          else (wait ??= []).push(s.target.queue.offer(item))
        }
        for (const s of shares) if (s.count > 0) hand(s)
        if (left.length > 0) {
          const leftover = joinParts(left)
          onUnrouted(leftover.length)
          for (const target of fallbackTargets) {
            const sub = target.always ? leftover : leftover.filter((e) => Filter.matches(target.filter, e))
            if (sub.length === 0) continue
            const s = share(target)
            take(s, sub)
            hand(s)
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

  return {
    begin,
    offer: (events, bytes, complete) => {
      const pass = begin()
      pass.add(events)
      return pass.offer(bytes, complete)
    }
  }
}
