import { Effect, Option, Ref } from "effect"
import { DataSource, SourceError, SourceEvent } from "../../src/index.js"
import type { SourceBatch } from "../../src/index.js"

/** An event of source `src` with id `id` and text payload `p<id>`. */
export const ev = (id: number, src = "s"): SourceEvent.SourceEvent =>
  SourceEvent.make({ eventId: id, srcKey: src, payload: `p${id}` })

/** Ids of events. */
export const ids = (events: Iterable<SourceEvent.SourceEvent>): Array<number> => [...events].map((e) => e.eventId)

/** One step of a scripted source: a batch, an error, or a wait of `ms` (TestClock) before the next step. */
export type Step = SourceBatch | SourceError | { readonly sleep: number }

/** A source that plays `steps` in order, then ends with EOF; it counts its calls. */
export const scripted = (steps: ReadonlyArray<Step>, options: Partial<DataSource.DataSourceOptions> = {}) =>
  Effect.gen(function*() {
    const calls = yield* Ref.make(0)
    const closes = yield* Ref.make(0)
    let i = 0
    const receive: Effect.Effect<SourceBatch, SourceError> = Effect.gen(function*() {
      yield* Ref.update(calls, (n) => n + 1)
      while (true) {
        const step = steps[i]
        if (step === undefined) return yield* Effect.fail(SourceError.eof())
        i++
        if (Array.isArray(step)) return step as SourceBatch
        if ("sleep" in step) {
          yield* Effect.sleep(step.sleep)
          continue
        }
        return yield* Effect.fail(step as SourceError)
      }
    })
    const source = DataSource.make({
      identifier: "scripted",
      receive,
      close: Ref.update(closes, (n) => n + 1),
      ...options
    })
    return { source, calls, closes, position: () => i, setPosition: (p: number) => (i = p) } as const
  })

/** A source that emits one event per receive forever, each after `ms` of (test) time. */
export const ticking = (ms: number, extra: Partial<DataSource.DataSourceOptions> = {}) =>
  Effect.gen(function*() {
    const next = yield* Ref.make(0)
    const closes = yield* Ref.make(0)
    const source = DataSource.make({
      identifier: "ticking",
      receive: Effect.zipRight(Effect.sleep(ms), Ref.getAndUpdate(next, (n) => n + 1)).pipe(Effect.map((n) => [ev(n)])),
      close: Ref.update(closes, (n) => n + 1),
      seek: (pos) => Ref.set(next, pos._tag === "Offset" ? pos.offset : 0),
      ...extra
    })
    return { source, next, closes } as const
  })

/** No batch available on the fast path. */
export const nothing = (): Option.Option<SourceBatch> => Option.none()
