/**
 * `AckPolicy`: how the events of one `DataSource` are acknowledged. Batches complete in whatever order
 * the sinks finish them; their ack tokens are released strictly in batch order (`AckWatermark`) and
 * acked by one acker fiber, which takes everything released since its last ack in one call: `ackBatch`
 * with every token, or, for a source with a cumulative `ackUpTo`, one call with the last token (the events
 * of a cumulative ack that failed are counted by the next one that succeeds). A source that cannot ack
 * only has its batches counted as completed. At-least-once: nothing is acked past a batch that has not
 * completed, and a failed ack is logged, counted as an error, and leaves the events to be replayed.
 *
 * @since 0.1.0
 */
import { Cause, Effect, Option, type Scope } from "effect"
import type * as DataSource from "../source/data-source.js"
import type { AckToken, SourceEvent } from "../source/event.js"
import * as Metrics from "./metrics.js"
import type { SourceStats } from "./report.js"
import * as AckWatermark from "./watermark.js"

/** The acknowledgement of one source's batches. */
export interface AckPolicy {
  /**
   * Registers a batch just read (in read order) and returns what completes it: call it once, when every
   * sink that had to take the batch wrote or rescued it.
   */
  readonly register: (events: ReadonlyArray<SourceEvent>) => () => void
  /** Waits until everything released so far was acked (or its ack failed). */
  readonly drained: Effect.Effect<void>
  /**
   * Waits until every batch registered so far completed and was acked (or its ack failed): how a reload
   * stops one source while the sinks go on.
   */
  readonly settled: Effect.Effect<void>
  /** Releases not acked yet. */
  readonly pending: () => number
}

/** What a policy reports to: the source's name and counters, and who counts completed events. */
export interface AckPolicyOptions {
  readonly name: string
  readonly stats: SourceStats
  /** Called with the events of each batch as it completes (in completion order). */
  readonly onComplete: (events: number) => void
}

/** Tokens released in order by the watermark, and the events they complete. */
interface Release {
  readonly tokens: ReadonlyArray<AckToken>
  readonly events: number
}

/** The ack tokens of a batch; for a source with a cumulative `ackUpTo`, only its last one. */
const ackTokens = (events: ReadonlyArray<SourceEvent>, cumulative: boolean): Array<AckToken> => {
  const tokens: Array<AckToken> = []
  if (cumulative) {
    for (let i = events.length - 1; i >= 0; i--) {
      const token = events[i]!.ackToken
      if (token !== undefined) return [token]
    }
    return tokens
  }
  for (const e of events) if (e.ackToken !== undefined) tokens.push(e.ackToken)
  return tokens
}

/** Callbacks waiting for a condition, woken by `check` once it holds. */
const waiters = (holds: () => boolean) => {
  let waiting: Array<() => void> = []
  return {
    check: (): void => {
      if (waiting.length === 0 || !holds()) return
      const woken = waiting
      waiting = []
      for (const wake of woken) wake()
    },
    wait: Effect.async<void>((resume) => {
      if (holds()) return resume(Effect.void)
      const wake = () => resume(Effect.void)
      waiting.push(wake)
      return Effect.sync(() => {
        waiting = waiting.filter((w) => w !== wake)
      })
    })
  }
}

/** A policy that only counts completions: for a source without `caps.ack`. */
const countOnly = (options: AckPolicyOptions): AckPolicy => {
  let open = 0
  const settled = waiters(() => open === 0)
  return {
    register: (events) => {
      const n = events.length
      open += 1
      return () => {
        open -= 1
        options.onComplete(n)
        settled.check()
      }
    },
    drained: Effect.void,
    settled: settled.wait,
    pending: () => 0
  }
}

/**
 * The policy of `source`; for a source that can ack, its acker fiber runs in the current Scope (it
 * stops when the Scope closes, or with `drained` first, once the caller is done with it).
 */
export const make = (source: DataSource.DataSource, options: AckPolicyOptions): Effect.Effect<AckPolicy, never, Scope.Scope> => {
  if (!source.caps.ack) return Effect.succeed(countOnly(options))
  return Effect.gen(function*() {
    const { name, stats } = options
    const ackUpTo = source.ackUpTo
    const cumulative = ackUpTo !== undefined
    const watermark = AckWatermark.make()
    let released: Array<Release> = []
    /** Releases handed to the acker and not acked yet. */
    let pending = 0
    let wakeAcker: (() => void) | undefined
    /** Batches registered and not completed yet. */
    let open = 0
    const drained = waiters(() => pending === 0)
    const settled = waiters(() => pending === 0 && open === 0)
    /** Events of cumulative acks that failed: the next one that succeeds acks them too. */
    let carried = 0

    const settle = (n: number): void => {
      pending -= n
      drained.check()
      settled.check()
    }

    const ack = (tokens: ReadonlyArray<AckToken>, events: number): Effect.Effect<void> =>
      Effect.matchCauseEffect(ackUpTo === undefined ? source.ackBatch(tokens) : ackUpTo(tokens[tokens.length - 1]), {
        onSuccess: () => {
          const acked = cumulative ? events + carried : tokens.length
          carried = 0
          stats.acked += acked
          return Metrics.acked(name, acked)
        },
        onFailure: (cause) => {
          if (cumulative) carried += events
          return Effect.zipRight(
            Effect.logWarning(`source ${name}: ack failed (the events will be replayed): ${
              Option.match(Cause.failureOption(cause), { onNone: () => Cause.pretty(cause), onSome: (e) => e.message })
            }`),
            Metrics.error("source", name, Option.match(Cause.failureOption(cause), { onNone: () => 520, onSome: (e) => e.code }))
          )
        }
      })

    /** Waits until something was released. */
    const nextRelease: Effect.Effect<void> = Effect.async<void>((resume) => {
      if (released.length > 0) return resume(Effect.void)
      wakeAcker = () => {
        wakeAcker = undefined
        resume(Effect.void)
      }
      return Effect.sync(() => {
        wakeAcker = undefined
      })
    })

    /** Acks everything released so far in one call. */
    const ackReleased: Effect.Effect<void> = Effect.suspend(() => {
      const taken = released
      released = []
      if (taken.length === 1) return Effect.ensuring(ack(taken[0]!.tokens, taken[0]!.events), Effect.sync(() => settle(1)))
      const tokens: Array<AckToken> = []
      let events = 0
      for (const r of taken) {
        for (const t of r.tokens) tokens.push(t)
        events += r.events
      }
      return Effect.ensuring(ack(tokens, events), Effect.sync(() => settle(taken.length)))
    })

    yield* Effect.forkScoped(Effect.forever(Effect.zipRight(nextRelease, ackReleased)))

    return {
      register: (events) => {
        const n = events.length
        const seq = watermark.register(ackTokens(events, cumulative), n)
        open += 1
        return () => {
          open -= 1
          options.onComplete(n)
          const before = watermark.releasedEvents()
          const tokens = watermark.complete(seq)
          if (tokens.length === 0) return settled.check()
          released.push({ tokens, events: watermark.releasedEvents() - before })
          pending += 1
          wakeAcker?.()
        }
      },
      drained: drained.wait,
      settled: settled.wait,
      pending: () => pending
    }
  })
}
