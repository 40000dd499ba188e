import { describe, expect, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Exit, Fiber, Option, Queue, Ref, Schedule, Stream, TestClock } from "effect"
import { ControlPlane, DataSource, SeekPosition, SourceError, SourceSupplierError } from "../../src/index.js"
import type { SourceBatch } from "../../src/index.js"
import { ev, scripted, ticking } from "./helpers.js"

const batches = <E>(s: Stream.Stream<{ readonly eventId: number }, E>) =>
  Effect.map(Stream.runCollect(Stream.chunks(s)), (cs) => Chunk.toArray(cs).map((c) => Chunk.toArray(c).map((e) => e.eventId)))

describe("DataSource.make", () => {
  it.effect("fails ack and seek with SourceSupplierError unless implemented", () =>
    Effect.gen(function*() {
      const src = DataSource.make({ identifier: "x", receive: Effect.succeed([]) })
      expect(src.caps).toEqual({ ack: false, seek: false, parallel: false })
      const ack = yield* Effect.flip(src.ack(1))
      expect(ack).toBeInstanceOf(SourceSupplierError)
      expect(ack.code).toBe(500)
      expect(ack.detail).toContain("ack unsupported")
      const seek = yield* Effect.flip(src.seek(SeekPosition.Start()))
      expect(seek.code).toBe(500)
      expect(seek.detail).toContain("seek unsupported")
      expect(src.supportsTryReceive).toBe(false)
      expect(src.canTryReceive()).toBe(false)
      expect(Option.isNone(src.tryReceive())).toBe(true)
    }))

  it.effect("derives caps from the methods given, and honours explicit caps", () =>
    Effect.gen(function*() {
      const acked: Array<unknown> = []
      const src = DataSource.make({
        identifier: "x",
        receive: Effect.succeed([]),
        ack: (t) => Effect.sync(() => void acked.push(t)),
        caps: { parallel: true },
        tryReceive: () => Option.some([ev(1)])
      })
      expect(src.caps).toEqual({ ack: true, seek: false, parallel: true })
      yield* src.ack(42)
      yield* src.ackBatch([43, 44])
      expect(acked).toEqual([42, 43, 44])
      expect((yield* Effect.flip(DataSource.make({ identifier: "n", receive: Effect.succeed([]) }).ackBatch([1]))).detail)
        .toBe("ack unsupported by n")
      expect(src.supportsTryReceive).toBe(true)
      expect(src.canTryReceive()).toBe(true)
      const liar = DataSource.make({ identifier: "liar", receive: Effect.succeed([]), caps: { seek: true } })
      expect(liar.caps.seek).toBe(true)
      expect((yield* Effect.flip(liar.seek(SeekPosition.End()))).detail).toBe("seek unsupported by liar")
    }))

  it.effect("close is idempotent and safe before start", () =>
    Effect.gen(function*() {
      const { source, closes } = yield* scripted([])
      yield* source.close
      yield* source.close
      expect(yield* Ref.get(closes)).toBe(1)
    }))
})

describe("DataSource.open", () => {
  it.effect("closes exactly once when the scope closes", () =>
    Effect.gen(function*() {
      const starts = yield* Ref.make(0)
      const { source, closes } = yield* scripted([], { start: () => Ref.update(starts, (n) => n + 1) })
      const rx = yield* Effect.scoped(Queue.unbounded<never>())
      yield* Effect.scoped(DataSource.open(source, rx))
      expect(yield* Ref.get(starts)).toBe(1)
      expect(yield* Ref.get(closes)).toBe(1)
      yield* source.close
      expect(yield* Ref.get(closes)).toBe(1)
    }))

  it.effect("closes once when start fails", () =>
    Effect.gen(function*() {
      const { source, closes } = yield* scripted([], { start: () => Effect.fail(SourceError.disconnect("refused")) })
      const rx = yield* Queue.unbounded<never>()
      const exit = yield* Effect.exit(Effect.scoped(DataSource.open(source, rx)))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(yield* Ref.get(closes)).toBe(1)
    }))

  it.effect("closes once when the consumer is interrupted mid-batch", () =>
    Effect.gen(function*() {
      const started = yield* Deferred.make<void>()
      const { source, closes } = yield* scripted([[ev(1)], { sleep: 1000 }, [ev(2)]])
      const fiber = yield* DataSource.stream(source).pipe(
        Stream.tap(() => Deferred.succeed(started, undefined)),
        Stream.runDrain,
        Effect.fork
      )
      yield* Deferred.await(started)
      yield* Fiber.interrupt(fiber)
      expect(yield* Ref.get(closes)).toBe(1)
    }))
})

describe("DataSource.stream", () => {
  it.effect("yields each received batch as one chunk, in order, and ends on EOF", () =>
    Effect.gen(function*() {
      const { source, closes } = yield* scripted([[ev(1), ev(2)], [ev(3)], [ev(4), ev(5), ev(6)]])
      expect(yield* batches(DataSource.stream(source))).toEqual([[1, 2], [3], [4, 5, 6]])
      expect(yield* Ref.get(closes)).toBe(1)
    }))

  it.effect("polls again on empty batches and NotData, on the backoff schedule", () =>
    Effect.gen(function*() {
      const { source, calls } = yield* scripted([[], SourceError.notData(), [], [ev(1)]])
      const fiber = yield* Effect.fork(batches(DataSource.stream(source)))
      yield* TestClock.adjust("1 millis")
      expect(yield* Ref.get(calls)).toBe(2)
      yield* TestClock.adjust("2 millis")
      expect(yield* Ref.get(calls)).toBe(3)
      yield* TestClock.adjust("4 millis")
      expect(yield* Ref.get(calls)).toBe(5)
      expect(yield* Fiber.join(fiber)).toEqual([[1]])
    }))

  it.effect("resets the backoff after data and caps it at 100 ms", () =>
    Effect.gen(function*() {
      const steps: Array<SourceBatch> = []
      for (let i = 0; i < 12; i++) steps.push([])
      const { source, calls } = yield* scripted(steps)
      const fiber = yield* Effect.fork(Stream.runDrain(DataSource.stream(source)))
      // 1+2+4+8+16+32+64 = 127 ms for the first 8 calls, then 100 ms each
      yield* TestClock.adjust("127 millis")
      expect(yield* Ref.get(calls)).toBe(8)
      yield* TestClock.adjust("99 millis")
      expect(yield* Ref.get(calls)).toBe(8)
      yield* TestClock.adjust("1 millis")
      expect(yield* Ref.get(calls)).toBe(9)
      yield* Fiber.interrupt(fiber)
    }))

  it.effect("ends when a finite poll schedule is exhausted (idle timeout)", () =>
    Effect.gen(function*() {
      const { source, closes } = yield* scripted([[ev(1)], [], [], [], [], [ev(2)]])
      const fiber = yield* Effect.fork(batches(DataSource.stream(source, { poll: Schedule.spaced("10 millis").pipe(Schedule.compose(Schedule.recurs(2))) })))
      yield* TestClock.adjust("100 millis")
      expect(yield* Fiber.join(fiber)).toEqual([[1]])
      expect(yield* Ref.get(closes)).toBe(1)
    }))

  it.effect("fails with the source's error, and closes", () =>
    Effect.gen(function*() {
      const { source, closes } = yield* scripted([[ev(1)], SourceError.disconnect("peer reset")])
      const error = yield* Effect.flip(Stream.runDrain(DataSource.stream(source)))
      expect(error._tag).toBe("SourceDisconnect")
      expect(error.code).toBe(503)
      expect(yield* Ref.get(closes)).toBe(1)
    }))

  it.effect("takes the try-receive fast path when the source allows it", () =>
    Effect.gen(function*() {
      let fast = 3
      const { source, calls } = yield* scripted([[ev(100)]], {
        tryReceive: () => (fast > 0 ? Option.some([ev(fast--)]) : Option.none()),
        canTryReceive: () => true
      })
      expect(yield* batches(DataSource.stream(source))).toEqual([[3], [2], [1], [100]])
      // receive: once for the last batch, once for EOF
      expect(yield* Ref.get(calls)).toBe(2)
    }))

  it.effect("skips the fast path when canTryReceive is false or the option is off", () =>
    Effect.gen(function*() {
      let tries = 0
      const opts = { tryReceive: () => (tries++, Option.some([ev(9)])) }
      const a = yield* scripted([[ev(1)]], { ...opts, canTryReceive: () => false })
      expect(yield* batches(DataSource.stream(a.source))).toEqual([[1]])
      const b = yield* scripted([[ev(1)]], opts)
      expect(yield* batches(DataSource.stream(b.source, { tryReceive: false }))).toEqual([[1]])
      expect(tries).toBe(0)
    }))
})

describe("DataSource.stream with a ControlPlane", () => {
  it.effect("Stop ends the stream after the batch in flight; the source closes with the scope", () =>
    Effect.gen(function*() {
      const { source, closes } = yield* ticking(10)
      const seen = yield* Ref.make<Array<number>>([])
      yield* Effect.scoped(Effect.gen(function*() {
        const plane = yield* ControlPlane.make
        const stream = yield* DataSource.toStream(source, { control: plane })
        const fiber = yield* stream.pipe(Stream.runForEach((e) => Ref.update(seen, (a) => [...a, e.eventId])), Effect.fork)
        yield* TestClock.adjust("35 millis")
        expect(yield* Ref.get(seen)).toEqual([0, 1, 2])
        yield* plane.stop
        yield* TestClock.adjust("1 millis")
        yield* Fiber.join(fiber)
        expect(yield* Ref.get(seen)).toEqual([0, 1, 2])
        expect(yield* Ref.get(closes)).toBe(0)
      }))
      expect(yield* Ref.get(closes)).toBe(1)
    }))

  it.effect("Stop while a receive is waiting interrupts it and ends at once", () =>
    Effect.scoped(Effect.gen(function*() {
      const plane = yield* ControlPlane.make
      const { source, closes } = yield* ticking(1_000_000)
      const fiber = yield* Effect.fork(Stream.runCollect(DataSource.stream(source, { control: plane })))
      yield* TestClock.adjust("1 millis")
      yield* plane.stop
      const out = yield* Fiber.join(fiber)
      expect(Chunk.size(out)).toBe(0)
      expect(yield* Ref.get(closes)).toBe(1)
    })))

  it.scoped("Isolate(true) stops pulling after the batch in flight until Isolate(false), without loss or duplication", () =>
    Effect.gen(function*() {
      const plane = yield* ControlPlane.make
      const { source, next } = yield* ticking(10)
      const seen = yield* Ref.make<Array<number>>([])
      const stream = yield* DataSource.toStream(source, { control: plane })
      const fiber = yield* stream.pipe(Stream.runForEach((e) => Ref.update(seen, (a) => [...a, e.eventId])), Effect.fork)
      yield* TestClock.adjust("25 millis")
      expect(yield* Ref.get(seen)).toEqual([0, 1])
      // the receive of event 2 is in flight: it is delivered, then the stream pauses
      yield* plane.isolate(true)
      yield* TestClock.adjust("100 millis")
      expect(yield* Ref.get(seen)).toEqual([0, 1, 2])
      expect(yield* Ref.get(next)).toBe(3) // no receive ran while isolated
      yield* plane.isolate(false)
      yield* TestClock.adjust("30 millis")
      expect(yield* Ref.get(seen)).toEqual([0, 1, 2, 3, 4, 5])
      yield* plane.stop
      yield* TestClock.adjust("10 millis")
      yield* Fiber.join(fiber)
    }))

  it.scoped("Seek is applied after the batch in flight, and the stream continues from the new position", () =>
    Effect.gen(function*() {
      const plane = yield* ControlPlane.make
      const { source } = yield* ticking(10)
      const seen = yield* Ref.make<Array<number>>([])
      const stream = yield* DataSource.toStream(source, { control: plane })
      const fiber = yield* stream.pipe(Stream.runForEach((e) => Ref.update(seen, (a) => [...a, e.eventId])), Effect.fork)
      yield* TestClock.adjust("30 millis")
      expect(yield* Ref.get(seen)).toEqual([0, 1, 2])
      // event 3's receive is in flight: it is delivered, then the seek runs
      yield* plane.seek(SeekPosition.Offset({ offset: 0 }))
      yield* TestClock.adjust("20 millis")
      expect(yield* Ref.get(seen)).toEqual([0, 1, 2, 3, 0])
      yield* plane.stop
      yield* Fiber.join(fiber)
    }))

  it.scoped("Seek on a source without caps.seek fails the stream with a clear error", () =>
    Effect.gen(function*() {
      const plane = yield* ControlPlane.make
      const { source, closes } = yield* scripted([[ev(1)], { sleep: 1000 }, [ev(2)]])
      const stream = yield* DataSource.toStream(source, { control: plane })
      const fiber = yield* Effect.fork(Stream.runDrain(stream))
      yield* TestClock.adjust("1 millis")
      yield* plane.seek(SeekPosition.Start())
      yield* TestClock.adjust("1000 millis") // the receive in flight returns first
      const error = yield* Effect.flip(Fiber.join(fiber))
      expect(error._tag).toBe("SourceSupplierError")
      expect(error.code).toBe(500)
      expect(error.detail).toBe("seek unsupported: source scripted does not advertise caps.seek")
      expect(yield* Ref.get(closes)).toBe(0)
    }))

  it.effect("with promptReceive, a receive runs to its end: Stop applies once it returned, and nothing is lost", () =>
    Effect.scoped(Effect.gen(function*() {
      const plane = yield* ControlPlane.make
      const { source, calls } = yield* scripted([[ev(1)], { sleep: 100 }, [ev(2)], [ev(3)]], { promptReceive: true })
      expect(source.promptReceive).toBe(true)
      const pull = yield* DataSource.toPull(source, { control: plane })
      const first = yield* pull
      expect(Option.map(first, (b) => b.map((e) => e.eventId))).toEqual(Option.some([1]))
      const second = yield* Effect.fork(pull)
      yield* TestClock.adjust("1 millis")
      yield* plane.stop // the receive in flight is not interrupted: its batch arrives
      yield* TestClock.adjust("100 millis")
      const got = yield* Fiber.join(second)
      expect(Option.map(got, (b) => b.map((e) => e.eventId))).toEqual(Option.some([2]))
      expect(Option.isNone(yield* pull)).toBe(true) // then the Stop ends it
      expect(yield* Ref.get(calls)).toBe(2)
    })))

  it.effect("without promptReceive, a Stop interrupts the receive in flight (the default)", () =>
    Effect.scoped(Effect.gen(function*() {
      const plane = yield* ControlPlane.make
      const { source, calls } = yield* scripted([[ev(1)], { sleep: 100 }, [ev(2)]])
      expect(source.promptReceive).toBe(false)
      const pull = yield* DataSource.toPull(source, { control: plane })
      yield* pull
      const second = yield* Effect.fork(pull)
      yield* TestClock.adjust("1 millis")
      yield* plane.stop
      expect(Option.isNone(yield* Fiber.join(second))).toBe(true)
      expect(yield* Ref.get(calls)).toBe(2)
    })))

  it.scoped("with drainOnStop, Stop lets the source run to its EOF", () =>
    Effect.gen(function*() {
      const plane = yield* ControlPlane.make
      const { source } = yield* scripted([[ev(1)], { sleep: 100 }, [ev(2)], [ev(3)]])
      const stream = yield* DataSource.toStream(source, { control: plane, drainOnStop: true })
      const fiber = yield* Effect.fork(batches(stream))
      yield* TestClock.adjust("1 millis")
      yield* plane.stop
      yield* TestClock.adjust("200 millis")
      expect(yield* Fiber.join(fiber)).toEqual([[1], [2], [3]])
    }))

  it.scoped("hands the source its own subscription in start", () =>
    Effect.gen(function*() {
      const plane = yield* ControlPlane.make
      const got = yield* Deferred.make<string>()
      const { source } = yield* ticking(10, {
        start: (ctrl) => Effect.forkScoped(Effect.flatMap(Queue.take(ctrl), (e) => Deferred.succeed(got, e._tag)))
      })
      const stream = yield* DataSource.toStream(source, { control: plane })
      const fiber = yield* Effect.fork(Stream.runDrain(stream))
      yield* plane.stop
      expect(yield* Deferred.await(got)).toBe("Stop")
      yield* Fiber.join(fiber)
    }))
})
