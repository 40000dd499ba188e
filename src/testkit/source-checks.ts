/**
 * The source cases of the conformance suite, each a plain Effect that fails with a
 * `ConformanceFailure` saying what the connector broke. `sourceConformance` registers them as tests;
 * connector tests may also run one directly.
 *
 * @since 0.1.0
 */
import { Cause, Deferred, Duration, Effect, Exit, Fiber, Option, type Scope, Stream } from "effect"
import { isCoded } from "../errors/coded.js"
import { describeCause } from "../errors/describe.js"
import type * as RawData from "../model/raw.js"
import { SeekPosition } from "../source/control.js"
import * as DataSource from "../source/data-source.js"
import * as SourceFactory from "../source/factory.js"
import type { SourceBatch, SourceEvent } from "../source/event.js"
import * as CaseScope from "./case-scope.js"
import type { Check } from "./check.js"
import * as Clock from "./clock.js"
import * as ConformanceFailure from "./conformance-failure.js"
import { flakySource } from "./faults.js"
import * as InvalidSpec from "./invalid-spec.js"
import * as LeakWatch from "./leak-watch.js"
import * as PayloadMatch from "./payload-match.js"
import { collectBatches, events as eventsOf } from "./run-source.js"
import * as Subject from "./source-subject.js"
import { withTempWorkRoot } from "./work-root.js"

type Failure = ConformanceFailure.ConformanceFailure

/** One case of the source suite. */
export type SourceCheck = Check<Subject.SourceConformanceOptions>

const payloads = (batches: ReadonlyArray<SourceBatch>): ReadonlyArray<RawData.RawData> => eventsOf(batches).map((e) => e.payload)

/** Runs `body` in a Scope of its own that must close within `stopWithin`. */
const inScope = <A>(check: string, options: Subject.SourceConformanceOptions, body: Effect.Effect<A, Failure, Scope.Scope>) =>
  CaseScope.inScope(check, Clock.resolveBounds(options).stopWithin, body)

/** Reads until `n` events arrived (within `timeout`), saying how many came and why when they did not. */
const readEvents = (
  check: string,
  options: Subject.SourceConformanceOptions,
  pull: Subject.Pull,
  served: Subject.Served,
  n: number
): Effect.Effect<ReadonlyArray<SourceBatch>, Failure> =>
  Effect.gen(function*() {
    const { timeout } = Clock.resolveBounds(options)
    const exit = yield* Effect.exit(collectBatches(pull, { events: n, idle: timeout }))
    if (Exit.isFailure(exit)) {
      const problems = yield* served.problems
      return yield* ConformanceFailure.make(check, `the stream failed while reading the expected events: ${describeCause(Cause.squash(exit.cause))}${problems}`)
    }
    const got = eventsOf(exit.value).length
    if (got < n) {
      const problems = yield* served.problems
      return yield* ConformanceFailure.make(
        check,
        `got ${got} of ${n} expected events within ${Duration.format(timeout)}: ${PayloadMatch.showAll(payloads(exit.value))}${problems}`
      )
    }
    return exit.value
  })

/** Whatever else arrives before the source is idle for `idle`. */
const readRest = (check: string, options: Subject.SourceConformanceOptions, pull: Subject.Pull) =>
  Effect.mapError(
    collectBatches(pull, { idle: Clock.resolveBounds(options).idle }),
    (e) => ConformanceFailure.make(check, `the stream failed after the expected events: ${e.message}`)
  )

/** Builds and serves (with the feed when `feed`) the source in the current Scope. */
const buildServed = (check: string, options: Subject.SourceConformanceOptions, fixture: Subject.Fixture, feed: boolean) =>
  Effect.gen(function*() {
    const built = yield* Subject.build(check, options, fixture)
    const served = yield* Subject.serve(options, fixture, built, feed)
    return { built, served } as const
  })

/** Builds, serves and opens the source in the current Scope. */
const launch = (check: string, options: Subject.SourceConformanceOptions, fixture: Subject.Fixture, feed: boolean) =>
  Effect.gen(function*() {
    const { built, served } = yield* buildServed(check, options, fixture, feed)
    const pull = yield* Subject.open(check, options, built)
    return { built, served, pull } as const
  })

/** How many times the source's release logic ran so far, when the options can tell. */
const closeRuns = (fixture: Subject.Fixture): Effect.Effect<Option.Option<number>> =>
  fixture.closeCount === undefined ? Effect.succeedNone : Effect.asSome(fixture.closeCount)

/** Fails unless the close counter grew by `expected` (or at most `expected`) since `before`. */
const expectCloses = (
  check: string,
  fixture: Subject.Fixture,
  before: Option.Option<number>,
  expected: { readonly exactly?: number; readonly atMost?: number },
  when: string
) =>
  Effect.gen(function*() {
    const now = yield* closeRuns(fixture)
    if (Option.isNone(before) || Option.isNone(now)) return
    const ran = now.value - before.value
    if (expected.exactly !== undefined && ran !== expected.exactly) {
      return yield* ConformanceFailure.make(check, `close ran ${ran} times ${when}, expected exactly once`)
    }
    if (expected.atMost !== undefined && ran > expected.atMost) {
      return yield* ConformanceFailure.make(check, `close ran ${ran} times ${when}, expected at most once`)
    }
  })

/** Calls `close` again; it must neither fail, die nor hang. */
const closeAgain = (check: string, options: Subject.SourceConformanceOptions, source: DataSource.DataSource, when: string) =>
  Effect.gen(function*() {
    const exit = yield* Clock.within(Effect.exit(source.close), Clock.resolveBounds(options).stopWithin, check, `close ${when}`)
    if (Exit.isFailure(exit)) {
      return yield* ConformanceFailure.make(check, `close is not idempotent: calling it ${when} died with ${describeCause(Cause.squash(exit.cause))}`)
    }
  })

/** Publishes a control event and lets the stream's watcher take it before the next pull. */
const steer = (event: Effect.Effect<void>) => Effect.zipRight(event, Clock.sleep(Duration.millis(10)))

/** The Seek back the options ask for: its position (default `Start`) and what it must replay (default every expected payload). */
const seekBackOf = (options: Subject.SourceConformanceOptions) => ({
  position: options.seekBack?.position ?? SeekPosition.Start(),
  replay: options.seekBack?.replay ?? options.expect.payloads
})

/**
 * Issues the Seek back and reads as many events as it must replay (each read within the timeout); a
 * failed read is a failure that begins with `seek` (how the Seek was issued).
 */
const seekAndRead = (check: string, options: Subject.SourceConformanceOptions, built: Subject.Built, pull: Subject.Pull, seek: string) =>
  Effect.gen(function*() {
    const { position, replay } = seekBackOf(options)
    yield* steer(built.control.seek(position))
    const again = yield* Effect.exit(collectBatches(pull, { events: replay.length, idle: Clock.resolveBounds(options).timeout }))
    if (Exit.isFailure(again)) {
      return yield* ConformanceFailure.make(check, `${seek} failed: ${describeCause(Cause.squash(again.cause))}`)
    }
    return payloads(again.value)
  })

/** The claim about `cap`, when made, must agree with the built source's `caps`. */
const claimAgrees = (check: string, options: Subject.SourceConformanceOptions, source: DataSource.DataSource, cap: keyof DataSource.SourceCaps) => {
  const claimed = options.claims?.[cap]
  return claimed === undefined || claimed === source.caps[cap]
    ? Effect.void
    : Effect.fail(ConformanceFailure.make(check, `the connector claims ${cap} = ${claimed} but the built source has caps.${cap} = ${source.caps[cap]}`))
}

/** `ack` / `seek` without the capability must fail with code 500 "<op> unsupported". */
const expectUnsupported = (
  check: string,
  options: Subject.SourceConformanceOptions,
  op: "ack" | "seek",
  attempt: Effect.Effect<void, unknown>
) =>
  Effect.gen(function*() {
    const wanted = `code 500 "${op} unsupported"`
    const exit = yield* Clock.within(Effect.exit(attempt), Clock.resolveBounds(options).stopWithin, check, op)
    if (Exit.isSuccess(exit)) {
      return yield* ConformanceFailure.make(check, `${op} succeeded although caps.${op} is false: caps must say what the source does (or ${op} must fail with ${wanted})`)
    }
    const error = Cause.failureOption(exit.cause)
    if (Option.isNone(error)) {
      return yield* ConformanceFailure.make(check, `${op} died instead of failing with ${wanted}: ${describeCause(Cause.squash(exit.cause))}`)
    }
    const e = error.value
    if (!isCoded(e) || e.code !== 500 || !describeCause(e).includes(`${op} unsupported`)) {
      return yield* ConformanceFailure.make(check, `${op} without caps.${op} failed with ${describeCause(e)}, expected ${wanted}`)
    }
  })

const id = (name: string) => `source.${name}`

/** Build, read, close the Scope: close runs exactly once, finalizers succeed, and calling close again is harmless. */
export const releasesOnce = (options: Subject.SourceConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("releasesOnce")
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    const before = yield* closeRuns(fixture)
    const source = yield* inScope(check, options, Effect.gen(function*() {
      const { built, pull, served } = yield* launch(check, options, fixture, true)
      if (options.expect.payloads.length > 0) yield* readEvents(check, options, pull, served, 1)
      return built.source
    }))
    yield* expectCloses(check, fixture, before, { exactly: 1 }, "when the scope closed")
    yield* closeAgain(check, options, source, "a second time after the scope closed")
    yield* closeAgain(check, options, source, "a third time after the scope closed")
    yield* expectCloses(check, fixture, before, { exactly: 1 }, "in all after close was called twice more")
  }))
}

/** A consumer interrupted while it holds a batch: the source is closed once, and promptly. */
export const releasesOnInterrupt = (options: Subject.SourceConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("releasesOnInterrupt")
  const bounds = Clock.resolveBounds(options)
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    const before = yield* closeRuns(fixture)
    yield* inScope(check, options, Effect.gen(function*() {
      const { built, served } = yield* buildServed(check, options, fixture, true)
      const holding = yield* Deferred.make<number>()
      const consumer = yield* Effect.fork(
        DataSource.stream(built.source, { control: built.control, poll: options.poll }).pipe(
          Stream.runForEachChunk((batch) => Effect.zipRight(Deferred.succeed(holding, batch.length), Effect.never))
        )
      )
      if (options.expect.payloads.length > 0) {
        const ended = Effect.flatMap(Fiber.await(consumer), (exit) =>
          Effect.flatMap(served.problems, (problems) =>
            ConformanceFailure.make(check, `the stream ended before its first batch: ${Exit.isFailure(exit) ? describeCause(Cause.squash(exit.cause)) : "it ended"}${problems}`)))
        yield* Clock.within(Effect.raceFirst(Deferred.await(holding), ended), bounds.timeout, check, "waiting for the first batch")
      }
      yield* Clock.within(Fiber.interrupt(consumer), bounds.stopWithin, check, "interrupting the consumer mid-batch (which closes the source)")
      yield* expectCloses(check, fixture, before, { exactly: 1 }, "when the consumer was interrupted mid-batch")
    }))
    yield* expectCloses(check, fixture, before, { exactly: 1 }, "in all after the build scope closed")
  }))
}

/** `close` before `start`, twice: neither fails, dies nor hangs, and the release logic runs at most once. */
export const closeBeforeStart = (options: Subject.SourceConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("closeBeforeStart")
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    const before = yield* closeRuns(fixture)
    yield* inScope(check, options, Effect.gen(function*() {
      const built = yield* Subject.build(check, options, fixture)
      yield* closeAgain(check, options, built.source, "before start")
      yield* closeAgain(check, options, built.source, "a second time before start")
    }))
    yield* expectCloses(check, fixture, before, { atMost: 1 }, "before start (two calls, then the build scope closed)")
  }))
}

/** The stream yields exactly the expected payloads, in order, with the expected batch boundaries. */
export const yieldsInOrder = (options: Subject.SourceConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("yieldsInOrder")
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    yield* inScope(check, options, Effect.gen(function*() {
      const { pull, served } = yield* launch(check, options, fixture, true)
      const batches = [
        ...(yield* readEvents(check, options, pull, served, options.expect.payloads.length)),
        ...(yield* readRest(check, options, pull))
      ]
      const wrong = PayloadMatch.difference(options.expect.payloads, payloads(batches))
      if (Option.isSome(wrong)) return yield* ConformanceFailure.make(check, `the stream yielded the wrong events: ${wrong.value}`)
      const sizes = batches.map((b) => b.length)
      const expected = options.expect.batches
      if (expected !== undefined && (sizes.length !== expected.length || sizes.some((n, i) => n !== expected[i]))) {
        return yield* ConformanceFailure.make(check, `batch boundaries were not kept: batch sizes ${JSON.stringify(sizes)}, expected ${JSON.stringify(expected)}`)
      }
    }))
  }))
}

/** Stop while the source waits for data: the stream, the acceptor and the close all end within `stopWithin`. */
export const stopEnds = (options: Subject.SourceConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("stopEnds")
  const bounds = Clock.resolveBounds(options)
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    yield* inScope(check, options, Effect.gen(function*() {
      const { built, pull, served } = yield* launch(check, options, fixture, true)
      yield* readEvents(check, options, pull, served, options.expect.payloads.length)
      const rest = yield* Effect.fork(collectBatches(pull, { idle: Duration.sum(bounds.timeout, bounds.stopWithin) }))
      yield* Clock.sleep(Duration.millis(20))
      yield* built.control.stop
      const ended = yield* Clock.within(Fiber.await(rest), bounds.stopWithin, check, "the stream after Stop")
      if (Exit.isFailure(ended)) {
        return yield* ConformanceFailure.make(check, `the stream failed after Stop instead of ending: ${describeCause(Cause.squash(ended.cause))}`)
      }
      if (Option.isSome(served.acceptor)) {
        const accepted = yield* Clock.within(Fiber.await(served.acceptor.value), bounds.stopWithin, check, "acceptConnection after Stop")
        if (Exit.isFailure(accepted)) {
          return yield* ConformanceFailure.make(check, `acceptConnection failed after Stop: ${describeCause(Cause.squash(accepted.cause))}`)
        }
      }
    }))
  }))
}

/** Isolate(true) pauses delivery; Isolate(false) resumes it without losing or repeating an event. */
export const isolateResumes = (options: Subject.SourceConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("isolateResumes")
  const bounds = Clock.resolveBounds(options)
  const expected = options.expect.payloads
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    yield* inScope(check, options, Effect.gen(function*() {
      const { built, pull, served } = yield* launch(check, options, fixture, true)
      const got: Array<SourceBatch> = [...(yield* readEvents(check, options, pull, served, Math.min(1, expected.length)))]
      yield* built.control.isolate(true)
      const waiting = yield* Effect.fork(pull)
      yield* Clock.sleep(bounds.idle)
      const early = yield* Fiber.poll(waiting)
      if (Option.isSome(early)) {
        const exit = early.value
        if (Exit.isFailure(exit)) {
          return yield* ConformanceFailure.make(check, `the stream failed while isolated: ${describeCause(Cause.squash(exit.cause))}`)
        }
        const batch = Option.getOrElse(exit.value, (): SourceBatch => [])
        return yield* ConformanceFailure.make(check, `delivered ${batch.length} events while isolated: Isolate(true) must pause delivery`)
      }
      yield* built.control.isolate(false)
      const count = () => eventsOf(got).length
      const resumed = yield* Clock.timeoutOption(
        Effect.mapError(Fiber.join(waiting), (e) => ConformanceFailure.make(check, `the stream failed after Isolate(false): ${e.message}`)),
        count() < expected.length ? bounds.timeout : bounds.idle
      )
      yield* Fiber.interrupt(waiting)
      if (Option.isSome(resumed) && Option.isSome(resumed.value)) got.push(resumed.value.value)
      if (count() < expected.length) got.push(...(yield* readEvents(check, options, pull, served, expected.length - count())))
      got.push(...(yield* readRest(check, options, pull)))
      const wrong = PayloadMatch.difference(expected, payloads(got))
      if (Option.isSome(wrong)) {
        return yield* ConformanceFailure.make(check, `after Isolate(true) then Isolate(false) the stream yielded the wrong events: ${wrong.value}`)
      }
    }))
  }))
}

/** With `caps.ack`, acking every event (then `ackUpTo` the last, if it has one) succeeds; without it, `ack` fails with 500 "ack unsupported". */
export const ackHonoured = (options: Subject.SourceConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("ackHonoured")
  const bounds = Clock.resolveBounds(options)
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    yield* inScope(check, options, Effect.gen(function*() {
      const { built, pull, served } = yield* launch(check, options, fixture, true)
      const { source } = built
      yield* claimAgrees(check, options, source, "ack")
      const events = eventsOf(yield* readEvents(check, options, pull, served, options.expect.payloads.length))
      if (!source.caps.ack) {
        if (source.ackUpTo !== undefined) return yield* ConformanceFailure.make(check, "the source has ackUpTo but caps.ack is false")
        return yield* expectUnsupported(check, options, "ack", source.ack(events[0]?.ackToken))
      }
      yield* Effect.forEach(events, (event, i) =>
        Clock.step(source.ack(event.ackToken), bounds.timeout, check, `caps.ack is true but ack of event #${i} ${PayloadMatch.show(event.payload)}`), {
        discard: true
      })
      const last = events.at(-1)
      if (source.ackUpTo !== undefined && last !== undefined) {
        // a cumulative ack over events already acked must succeed too (acks may repeat: they are idempotent)
        yield* Clock.step(source.ackUpTo(last.ackToken), bounds.timeout, check, `ackUpTo of the last event ${PayloadMatch.show(last.payload)}`)
      }
    }))
  }))
}

/** With `caps.seek`, Seek back replays from the position; without it, `seek` fails with 500 "seek unsupported". */
export const seekHonoured = (options: Subject.SourceConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("seekHonoured")
  const { position, replay } = seekBackOf(options)
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    yield* inScope(check, options, Effect.gen(function*() {
      const { built, pull, served } = yield* launch(check, options, fixture, true)
      const { source } = built
      yield* claimAgrees(check, options, source, "seek")
      if (!source.caps.seek) return yield* expectUnsupported(check, options, "seek", source.seek(position))
      yield* readEvents(check, options, pull, served, options.expect.payloads.length)
      const again = yield* seekAndRead(check, options, built, pull, `caps.seek is true but Seek(${position._tag})`)
      const wrong = PayloadMatch.difference(replay, again.slice(0, replay.length))
      if (Option.isSome(wrong)) {
        return yield* ConformanceFailure.make(check, `after Seek(${position._tag}) the source did not replay from the position: ${wrong.value}`)
      }
    }))
  }))
}

/**
 * With `caps.seek`: Seek back issued mid-stream, after the first batch only (the source may have read
 * ahead), replays exactly from the position, then nothing more: no stale buffered or read-ahead event
 * comes before or after the replay.
 */
export const seekMidStream = (options: Subject.SourceConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("seekMidStream")
  const { position, replay } = seekBackOf(options)
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    yield* inScope(check, options, Effect.gen(function*() {
      const { built, pull, served } = yield* launch(check, options, fixture, true)
      if (!built.source.caps.seek) return
      const first = payloads(yield* readEvents(check, options, pull, served, Math.min(1, options.expect.payloads.length)))
      const again = yield* seekAndRead(check, options, built, pull, `Seek(${position._tag}) issued mid-stream`)
      const got = [...again, ...payloads(yield* readRest(check, options, pull))]
      const wrong = PayloadMatch.difference(replay, got)
      if (Option.isSome(wrong)) {
        return yield* ConformanceFailure.make(
          check,
          `after Seek(${position._tag}) issued mid-stream (after the first batch, ${PayloadMatch.showAll(first)}), the source did not replay exactly from the position (stale buffered or read-ahead events?): ${wrong.value}`
        )
      }
    }))
  }))
}

/**
 * With `caps.seek`: after every event was read, Seek(End) yields nothing old; with `append`, the events
 * appended after the seek then come, exactly and in order (a position off by one repeats or cuts one).
 */
export const seekEndThenAppend = (options: Subject.SourceConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("seekEndThenAppend")
  const appended = options.appended ?? ["appended 1", "appended 2"]
  const bounds = Clock.resolveBounds(options)
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    yield* inScope(check, options, Effect.gen(function*() {
      const { built, pull, served } = yield* launch(check, options, fixture, true)
      if (!built.source.caps.seek) return
      yield* readEvents(check, options, pull, served, options.expect.payloads.length)
      yield* steer(built.control.seek(SeekPosition.End()))
      const old = payloads(yield* readRest(check, options, pull))
      if (old.length > 0) {
        return yield* ConformanceFailure.make(check, `after every event was read, Seek(End) was followed by ${PayloadMatch.showAll(old)}: events from before the seek (its position is off); expected nothing until new events arrive`)
      }
      const append = options.append
      if (append === undefined) return
      yield* Clock.step(
        Effect.scoped(append({ svc: built.svc, handle: built.handle, spec: fixture.spec, ctx: fixture.ctx, payloads: appended })),
        bounds.timeout,
        check,
        `appending ${PayloadMatch.showAll(appended)} after Seek(End)`
      )
      const got = [
        ...payloads(yield* readEvents(check, options, pull, served, appended.length)),
        ...payloads(yield* readRest(check, options, pull))
      ]
      const wrong = PayloadMatch.difference(appended, got)
      if (Option.isSome(wrong)) {
        return yield* ConformanceFailure.make(check, `after Seek(End) then appending ${PayloadMatch.showAll(appended)}, the source did not yield exactly the appended events (its position after Seek(End) is off): ${wrong.value}`)
      }
    }))
  }))
}

/**
 * Acks arriving out of order (the 3rd event, then the 1st, never the 2nd), then a rebuild with the same
 * spec and work root: the rebuilt source starts at the 2nd event, the first one never acked. Without
 * `caps.ack`, `ack` must fail with 500 "ack unsupported" instead.
 */
export const resumesFromFirstUnacked = (options: Subject.SourceConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("resumesFromFirstUnacked")
  const bounds = Clock.resolveBounds(options)
  const expected = options.expect.payloads
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    const acked = yield* inScope(check, options, Effect.gen(function*() {
      const { built, pull, served } = yield* launch(check, options, fixture, true)
      const { source } = built
      if (!source.caps.ack) {
        yield* expectUnsupported(check, options, "ack", source.ack(undefined))
        return false
      }
      if (expected.length < 3) {
        return yield* ConformanceFailure.make(check, `needs at least 3 expected payloads to ack out of order, has ${expected.length}`)
      }
      const events = eventsOf(yield* readEvents(check, options, pull, served, expected.length))
      const ack = (event: SourceEvent, i: number) => Clock.step(source.ack(event.ackToken), bounds.timeout, check, `ack of event #${i} (out of order)`)
      yield* ack(events[2]!, 2)
      yield* ack(events[0]!, 0)
      return true
    }))
    if (!acked) return
    yield* inScope(check, options, Effect.gen(function*() {
      const { pull, served } = yield* launch(check, options, fixture, false)
      const first = eventsOf(yield* Effect.mapError(
        collectBatches(pull, { events: 1, idle: bounds.timeout }),
        (e) => ConformanceFailure.make(check, `the rebuilt source failed: ${e.message}`)
      ))[0]
      const wanted = `the first unacked event #1 ${PayloadMatch.show(expected[1]!)}`
      if (first === undefined) {
        const problems = yield* served.problems
        return yield* ConformanceFailure.make(check, `the rebuilt source yielded nothing within ${Duration.format(bounds.timeout)}; expected it to resume at ${wanted}${problems}`)
      }
      const at = expected.findIndex((p) => PayloadMatch.same(p, first.payload))
      if (at === 1) return
      const shown = PayloadMatch.show(first.payload)
      return yield* ConformanceFailure.make(
        check,
        at === -1
          ? `the rebuilt source resumed with ${shown}, which is none of the expected events; expected ${wanted}`
          : at === 0
          ? `the rebuilt source resumed at event #0 ${shown}, which was acked; expected ${wanted}`
          : `the rebuilt source resumed at event #${at} ${shown}, past ${wanted}: an event never acked was lost`
      )
    }))
  }))
}

/** Each spec of `invalid` is refused by `validateSpec` or `build` with a coded error (never a defect, never accepted). */
export const refusesInvalid = (options: Subject.SourceConformanceOptions): Effect.Effect<void, Failure> =>
  InvalidSpec.refuseEach(
    id("refusesInvalid"),
    options.invalid ?? [],
    Clock.resolveBounds(options).timeout,
    options.ctx === undefined ? Effect.map(withTempWorkRoot, SourceFactory.buildCtx) : Effect.succeed(options.ctx),
    (spec, ctx) => Effect.zipRight(options.factory.validateSpec(spec), options.factory.build(spec, ctx))
  )

/** A full run (build, feed, read, Stop, close) leaves no fiber, timer, socket, server or file descriptor behind. */
export const leavesNoHandles = (options: Subject.SourceConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("leavesNoHandles")
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    const watch = yield* LeakWatch.start
    yield* watch.supervise(inScope(check, options, Effect.gen(function*() {
      const { built, pull, served } = yield* launch(check, options, fixture, true)
      yield* readEvents(check, options, pull, served, options.expect.payloads.length)
      yield* built.control.stop
      yield* Clock.within(Effect.ignore(collectBatches(pull)), Clock.resolveBounds(options).stopWithin, check, "the stream after Stop")
    })))
    yield* watch.expectNoneLeft(check)
  }))
}

/**
 * A retryable failure of `receive` (an injected 503 Disconnect) ends the stream with that coded error,
 * after the events before it, and the stream still closes the source exactly once.
 */
export const failureReleases = (options: Subject.SourceConformanceOptions): Effect.Effect<void, Failure> => {
  const check = id("failureReleases")
  const bounds = Clock.resolveBounds(options)
  return Effect.scoped(Effect.gen(function*() {
    const fixture = yield* Subject.prepare(check, options)
    const before = yield* closeRuns(fixture)
    yield* inScope(check, options, Effect.gen(function*() {
      const { built } = yield* buildServed(check, options, fixture, true)
      const flaky = flakySource(built.source, { failAt: options.expect.payloads.length > 0 ? 1 : 0 })
      const run = DataSource.stream(flaky.source, { control: built.control, poll: options.poll }).pipe(
        Stream.chunks,
        Stream.runCollect
      )
      const exit = yield* Clock.within(Effect.exit(run), bounds.timeout, check, "the stream with an injected 503 Disconnect")
      if (Exit.isSuccess(exit)) {
        return yield* ConformanceFailure.make(check, "the stream ended normally although receive failed with an injected 503 Disconnect")
      }
      const error = Cause.failureOption(exit.cause)
      if (Option.isNone(error) || error.value._tag !== "SourceDisconnect" || error.value.code !== 503 || !error.value.retryable) {
        return yield* ConformanceFailure.make(check, `the stream should fail with the injected retryable 503 Disconnect, it ended with ${describeCause(Cause.squash(exit.cause))}`)
      }
      yield* expectCloses(check, fixture, before, { exactly: 1 }, "when the stream failed")
    }))
  }))
}

/** Every source case, in the order `sourceConformance` registers them. */
export const all: ReadonlyArray<SourceCheck> = [
  { id: id("releasesOnce"), title: "build and close in a Scope: close runs exactly once, and again is harmless", clock: "live", applies: () => true, run: releasesOnce },
  { id: id("releasesOnInterrupt"), title: "a consumer interrupted mid-batch closes the source once", clock: "live", applies: () => true, run: releasesOnInterrupt },
  { id: id("closeBeforeStart"), title: "close is idempotent and safe before start", clock: "live", applies: () => true, run: closeBeforeStart },
  { id: id("yieldsInOrder"), title: "yields the expected events in order, batches kept as chunks", clock: "live", applies: () => true, run: yieldsInOrder },
  { id: id("stopEnds"), title: "Stop ends the stream (and the acceptor) within the bound", clock: "live", applies: () => true, run: stopEnds },
  { id: id("isolateResumes"), title: "Isolate(true) pauses delivery, Isolate(false) resumes without loss or duplication", clock: "live", applies: () => true, run: isolateResumes },
  { id: id("ackHonoured"), title: "ack works when caps.ack is claimed, fails with 500 \"ack unsupported\" otherwise", clock: "live", applies: () => true, run: ackHonoured },
  { id: id("seekHonoured"), title: "Seek back replays when caps.seek is claimed, fails with 500 \"seek unsupported\" otherwise", clock: "live", applies: () => true, run: seekHonoured },
  { id: id("seekMidStream"), title: "Seek back issued mid-stream replays exactly from the position, no stale read-ahead", clock: "live", applies: () => true, run: seekMidStream },
  { id: id("seekEndThenAppend"), title: "Seek(End) yields nothing old, then exactly what is appended", clock: "live", applies: () => true, run: seekEndThenAppend },
  { id: id("resumesFromFirstUnacked"), title: "after out-of-order acks a rebuilt source resumes at the first unacked event", clock: "live", applies: () => true, run: resumesFromFirstUnacked },
  { id: id("refusesInvalid"), title: "invalid specs are refused with coded errors", clock: "live", applies: (o) => (o.invalid?.length ?? 0) > 0, run: refusesInvalid },
  { id: id("failureReleases"), title: "a retryable receive failure ends the stream with its code and releases the source", clock: "live", applies: () => true, run: failureReleases },
  { id: id("leavesNoHandles"), title: "leaves no fiber, timer or handle running afterwards", clock: "live", applies: () => true, run: leavesNoHandles }
]
