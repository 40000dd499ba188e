/**
 * A batch routed in parts (`Router.begin`): what each sink gets is what one `offer` of the whole batch gives
 * it (the same events in order, the same texts or joined text, the same bytes), unrouted events are counted
 * once and reach the `default` routes, nothing is queued before the pass's `offer`, and a part added after
 * it is a defect.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Option } from "effect"
import { DataRecord, SourceEvent, Tags } from "../../src/index.js"
import * as Filter from "../../src/runtime/filter.js"
import * as Router from "../../src/runtime/router.js"
import * as SinkQueue from "../../src/runtime/sink-queue.js"
import * as RecordEncoder from "../../src/sink/record-encoder.js"

/** Event `i` tagged `env`, with a record `{"n":i}` when `withRecord`. */
const ev = (i: number, env: string, withRecord: boolean) => {
  const plain = SourceEvent.make({ eventId: i, srcKey: "s", payload: `p${i}`, tags: Tags.make({ env }) })
  return withRecord ? SourceEvent.update(plain, { record: DataRecord.make([DataRecord.field("n", Option.getOrThrow(DataRecord.digit(i)))]) }) : plain
}

const write = () => Effect.void
/** Joins with a separator; declines records of multiples of 7. */
const joining = RecordEncoder.make((r) => {
  const n = r.fields[0]!.value
  return n._tag === "Digit" && n.value % 7n === 0n ? undefined : `j${DataRecord.toJsonText(r)}`
}, write, { separator: "\n" })
const each = RecordEncoder.make((r) => `e${DataRecord.toJsonText(r)}`, write)

/** Three routes (all, joined; prod, encoded per event; dev, records kept) and a default route; its queues. */
const setup = Effect.gen(function*() {
  const queue = () => SinkQueue.make({ events: 100_000, bytes: 100_000_000 })
  const queues = [yield* queue(), yield* queue(), yield* queue(), yield* queue()] as const
  const parse = (f: string) => Effect.runSync(Filter.parse(f, "filter"))
  const routes: Array<Router.Route> = [
    { filter: parse("env != \"none\""), queues: [queues[0]], encoders: [joining] },
    { filter: parse("env == \"prod\""), queues: [queues[1]], encoders: [each] },
    { filter: parse("env == \"dev\""), queues: [queues[2]] }
  ]
  const fallback: Array<Router.Route> = [{ filter: Filter.always, queues: [queues[3]], encoders: [joining] }]
  const unrouted = { n: 0 }
  const router = Router.make(routes, "s", yield* Effect.clock, (n) => void (unrouted.n += n), fallback)
  return { router, queues, unrouted }
})

/** What each queue holds: its items as plain data. */
const drain = (queues: ReadonlyArray<SinkQueue.SinkQueue>) =>
  Effect.forEach(queues, (q) =>
    Effect.gen(function*() {
      const items: Array<unknown> = []
      for (let item = yield* q.poll; Option.isSome(item); item = yield* q.poll) {
        const { bytes, encoded, events, joined } = item.value
        items.push({ ids: events.map((e) => [e.eventId, e.record === undefined]), bytes, encoded, joined })
      }
      return items
    }))

describe("Router.begin: a batch routed in parts", () => {
  it.effect("each sink gets what one offer of the whole batch gives it; unrouted counted once", () =>
    Effect.gen(function*() {
      const batch = fc.array(fc.tuple(fc.constantFrom("prod", "dev", "none"), fc.boolean()), { maxLength: 60 })
      const cuts = fc.array(fc.nat(60), { maxLength: 6 })
      yield* Effect.sync(() =>
        fc.assert(
          fc.property(batch, cuts, (spec, at) => {
            const events = spec.map(([env, rec], i) => ev(i, env, rec))
            const whole = Effect.runSync(Effect.gen(function*() {
              const s = yield* setup
              let completed = 0
              yield* s.router.offer(events, 1234, () => void completed++)
              return { items: yield* drain(s.queues), unrouted: s.unrouted.n }
            }))
            const parts = Effect.runSync(Effect.gen(function*() {
              const s = yield* setup
              const pass = s.router.begin()
              const bounds = [0, ...at.map((a) => Math.min(a, events.length)).sort((a, b) => a - b), events.length]
              for (let k = 0; k + 1 < bounds.length; k++) pass.add(events.slice(bounds[k], bounds[k + 1]))
              expect(pass.added()).toBe(events.length)
              // nothing is queued before the offer
              expect(s.queues.map((q) => q.depth().events)).toEqual([0, 0, 0, 0])
              yield* pass.offer(1234, () => undefined)
              return { items: yield* drain(s.queues), unrouted: s.unrouted.n }
            }))
            expect(parts).toEqual(whole)
          }),
          { numRuns: 300 }
        )
      )
    }))

  it.effect("the parts' records are encoded as they are added; an item joins every part; a part after the offer is a defect", () =>
    Effect.gen(function*() {
      const { queues, router, unrouted } = yield* setup
      const pass = router.begin()
      pass.add([ev(1, "prod", true), ev(2, "none", true)])
      pass.add([ev(3, "prod", true)])
      let completed = 0
      yield* pass.offer(30, () => void completed++)
      const [all, prod, dev, rest] = yield* drain(queues)
      expect(all).toEqual([{ ids: [[1, true], [3, true]], bytes: 4, encoded: undefined, joined: "j{\"n\":1}\nj{\"n\":3}" }])
      expect(prod).toEqual([{ ids: [[1, true], [3, true]], bytes: 4, encoded: ["e{\"n\":1}", "e{\"n\":3}"], joined: undefined }])
      expect(dev).toEqual([])
      expect(rest).toEqual([{ ids: [[2, true]], bytes: 2, encoded: undefined, joined: "j{\"n\":2}" }])
      expect(unrouted.n).toBe(1)
      expect(() => pass.add([ev(4, "prod", true)])).toThrow(/add after offer/)
    }))
})
