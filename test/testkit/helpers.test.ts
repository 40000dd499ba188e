import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, Queue, Ref, TestClock } from "effect"
import { ControlPlane, DataSource, RawData, SinkError, SourceError, SourceEvent } from "../../src/index.js"
import {
  collectBatches,
  faultySink,
  flakySource,
  freePort,
  LeakWatch,
  OpenHandles,
  PayloadMatch,
  runSourceFor,
  TestkitClock,
  withTempWorkRoot
} from "../../src/testkit/index.js"
import { MemorySink, MemorySource, makeMemorySinkBuffer } from "../../examples/demo-connector.js"

const texts = (batches: ReadonlyArray<ReadonlyArray<SourceEvent.SourceEvent>>) => batches.map((b) => b.map((e) => RawData.text(e.payload)))

describe("withTempWorkRoot", () => {
  it.live("gives a writable directory and removes it, with its content, when the scope closes", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.scoped(Effect.gen(function*() {
        const dir = yield* withTempWorkRoot
        fs.mkdirSync(path.join(dir, "sub"))
        fs.writeFileSync(path.join(dir, "sub", "f.txt"), "x")
        expect(fs.existsSync(path.join(dir, "sub", "f.txt"))).toBe(true)
        return dir
      }))
      expect(path.basename(dir)).toMatch(/^wp-testkit-/)
      expect(fs.existsSync(dir)).toBe(false)
    }))
})

describe("freePort", () => {
  it.live("returns a port nobody listens on, which can then be bound", () =>
    Effect.gen(function*() {
      const port = yield* freePort
      expect(port).toBeGreaterThan(0)
      expect(port).toBeLessThan(65536)
      const bound = yield* Effect.async<number>((resume) => {
        const server = net.createServer()
        server.listen(port, "127.0.0.1", () => server.close(() => resume(Effect.succeed(port))))
      })
      expect(bound).toBe(port)
    }))
})

describe("runSourceFor / collectBatches", () => {
  it.live("stops after N events on a source that never ends, keeping batches whole", () =>
    Effect.gen(function*() {
      const batches = yield* runSourceFor(MemorySource("m", ["a", "b", "c"]), { events: 2 })
      expect(texts(batches)).toEqual([["a"], ["b"]])
    }))

  it.live("stops when the source is idle, and closes it", () =>
    Effect.gen(function*() {
      const closed = yield* Ref.make(0)
      const inner = MemorySource("m", ["a", "b", "c"])
      const started = Date.now()
      const batches = yield* runSourceFor({ ...inner, close: Ref.update(closed, (n) => n + 1) }, { idle: "50 millis" })
      expect(texts(batches)).toEqual([["a"], ["b"], ["c"]])
      expect(Date.now() - started).toBeGreaterThanOrEqual(45)
      expect(yield* Ref.get(closed)).toBe(1)
    }))

  it.live("stops when the stream ends (EOF) without waiting for idle, and on Stop", () =>
    Effect.gen(function*() {
      let served = false
      const eof = DataSource.make({
        identifier: "eof",
        receive: Effect.suspend(() => {
          if (served) return Effect.fail(SourceError.eof())
          served = true
          return Effect.succeed([SourceEvent.make({ eventId: 0, srcKey: "e", payload: "only" })])
        })
      })
      const started = Date.now()
      // an idle wait of a minute, so that returning well before it (with a margin for a busy machine) proves it was not waited
      expect(texts(yield* runSourceFor(eof, { idle: "60 seconds" }))).toEqual([["only"]])
      expect(Date.now() - started).toBeLessThan(20_000)
      const stopped = yield* Effect.scoped(Effect.gen(function*() {
        const control = yield* ControlPlane.make
        const run = yield* Effect.fork(runSourceFor(MemorySource("m", ["a"]), { control, idle: "60 seconds" }))
        yield* Effect.sleep("50 millis")
        const at = Date.now()
        yield* control.stop
        const batches = yield* Fiber.join(run)
        expect(Date.now() - at).toBeLessThan(20_000)
        return batches
      }))
      expect(texts(stopped)).toEqual([["a"]])
    }))

  it.live("ends an idle wait on a source whose receive blocks, losing nothing", () =>
    Effect.gen(function*() {
      const queue = yield* Queue.unbounded<string>()
      const source = DataSource.make({
        identifier: "q",
        receive: Effect.map(Queue.take(queue), (p) => [SourceEvent.make({ eventId: 0, srcKey: "q", payload: p })])
      })
      yield* Effect.scoped(Effect.gen(function*() {
        const pull = yield* DataSource.toPull(source)
        expect(yield* collectBatches(pull, { idle: "30 millis" })).toEqual([])
        yield* Queue.offer(queue, "late")
        expect(texts(yield* collectBatches(pull, { events: 1 }))).toEqual([["late"]])
      }))
    }))
})

describe("faultySink", () => {
  it.effect("writes the payloads before failAt as one batch, then fails; a retry goes through", () =>
    Effect.gen(function*() {
      const buffer = yield* makeMemorySinkBuffer
      const faulty = faultySink(MemorySink(buffer), { failAt: 2, failTimes: 1 })
      const error = yield* Effect.flip(faulty.sink.sinkStrBatch(["a", "b", "c", "d"]))
      expect(error).toMatchObject({ _tag: "SinkUnavailable", code: 500, retryable: true, detail: "injected failure" })
      expect(yield* Ref.get(buffer)).toEqual(["a", "b"])
      expect(yield* faulty.passed).toBe(2)
      yield* faulty.sink.sinkStrBatch(["c", "d"])
      expect(yield* Ref.get(buffer)).toEqual(["a", "b", "c", "d"])
      expect(yield* faulty.injected).toBe(1)
    }))

  it.effect("fails failTimes times with the given error, counting single writes too", () =>
    Effect.gen(function*() {
      const buffer = yield* makeMemorySinkBuffer
      const faulty = faultySink(MemorySink(buffer), { failAt: 0, failTimes: 2, error: SinkError.stgCtrl("disk full") })
      expect((yield* Effect.flip(faulty.sink.sinkStr("x"))).code).toBe(510)
      expect((yield* Effect.flip(faulty.sink.sinkBytes(RawData.bytes("x")))).code).toBe(510)
      yield* faulty.sink.sinkStr("x")
      expect(yield* Ref.get(buffer)).toEqual(["x"])
      expect(yield* faulty.injected).toBe(2)
    }))

  it.effect("with delay, passes payloads one at a time as the TestClock advances", () =>
    Effect.gen(function*() {
      const buffer = yield* makeMemorySinkBuffer
      const slow = faultySink(MemorySink(buffer), { delay: "1 second" })
      const writer = yield* Effect.fork(slow.sink.sinkStrBatch(["a", "b", "c"]))
      yield* TestClock.adjust("999 millis")
      expect(yield* Ref.get(buffer)).toEqual([])
      yield* TestClock.adjust("1 millis")
      expect(yield* Ref.get(buffer)).toEqual(["a"])
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(writer)
      expect(yield* Ref.get(buffer)).toEqual(["a", "b", "c"])
    }))
})

describe("flakySource", () => {
  it.live("fails the chosen receive calls with a retryable 503, consuming nothing", () =>
    Effect.gen(function*() {
      const flaky = flakySource(MemorySource("m", ["a", "b", "c"]), { failAt: 1 })
      expect(texts([yield* flaky.source.receive])).toEqual([["a"]])
      const error = yield* Effect.flip(flaky.source.receive)
      expect(error).toMatchObject({ _tag: "SourceDisconnect", code: 503, retryable: true })
      expect(texts([yield* flaky.source.receive, yield* flaky.source.receive])).toEqual([["b"], ["c"]])
      expect(yield* flaky.injected).toBe(1)
      expect(flaky.source.supportsTryReceive).toBe(false)
    }))
})

describe("PayloadMatch", () => {
  it("compares text and bytes by content", () => {
    expect(PayloadMatch.same("é", new Uint8Array([0xc3, 0xa9]))).toBe(true)
    expect(PayloadMatch.same("e", "é")).toBe(false)
  })

  it("says where two sequences differ", () => {
    expect(PayloadMatch.difference(["a", "b"], ["a", "b"])).toEqual(Option.none())
    expect(Option.getOrThrow(PayloadMatch.difference(["a", "b", "c"], ["a"]))).toBe(
      "2 missing from #1: got 1 of 3 (expected [\"a\", \"b\", \"c\"], got [\"a\"])"
    )
    expect(Option.getOrThrow(PayloadMatch.difference(["a"], ["a", "z"]))).toBe("1 extra from #1, first \"z\" (expected [\"a\"], got [\"a\", \"z\"])")
    expect(Option.getOrThrow(PayloadMatch.difference(["a", "b", "c"], ["a", "c", "b"]))).toContain(
      "at #1 expected \"b\" but got \"c\" (it came later, at #2: out of order)"
    )
    expect(PayloadMatch.show(new Uint8Array([0xff, 0x00]))).toBe("bytes[ff 00]")
  })
})

describe("OpenHandles", () => {
  it.live("sees a listening server by type, and settles once it is closed", () =>
    Effect.gen(function*() {
      const before = yield* OpenHandles.snapshot
      const server = net.createServer()
      yield* Effect.async<void>((resume) => {
        server.listen(0, "127.0.0.1", () => resume(Effect.void))
      })
      expect(Option.getOrThrow(OpenHandles.extra(before, yield* OpenHandles.snapshot))).toMatch(/^TCPServerWrap \+1(, fd \+1)?$/)
      server.close()
      expect(yield* OpenHandles.settledSince(before)).toEqual(Option.none())
    }))
})

describe("LeakWatch", () => {
  it.live("finds a forked daemon and an unref'd interval left behind, then interrupts and clears them", () =>
    Effect.gen(function*() {
      let ticks = 0
      const fiber = yield* Effect.scoped(Effect.gen(function*() {
        const watch = yield* LeakWatch.start
        const fiber = yield* watch.supervise(Effect.forkDaemon(Effect.never))
        const leftTick = () => void ticks++
        setInterval(leftTick, 5).unref()
        const e = yield* Effect.flip(watch.expectNoneLeft("mine", "100 millis"))
        // on a busy machine a timer of the runner's own may also show among the open handles: that clause is allowed
        const [head, tail] = [
          `mine: left running after its scope closed: 1 fiber still running: fiber #${fiber.id().id}; 2 timers still pending: setInterval every 5 ms (callback leftTick), setInterval every 2^31-1 ms (what keeps the process alive while a fiber waits in Effect.never)`,
          " (fibers forked under the check, timers created since it started, process.getActiveResourcesInfo() and /proc/self/fd before vs after)"
        ]
        expect(e.message.startsWith(head)).toBe(true)
        expect(e.message.endsWith(tail)).toBe(true)
        expect(e.message.slice(head.length, e.message.length - tail.length)).toMatch(/^(; handles still open: Timeout \+\d+)?$/)
        return fiber
      }))
      expect(Option.isSome(yield* TestkitClock.timeoutOption(Fiber.await(fiber), "1 second"))).toBe(true)
      const seen = ticks
      yield* TestkitClock.sleep("50 millis")
      expect(ticks).toBe(seen)
    }))

  it.live("passes once what was started is gone within the settle time", () =>
    Effect.scoped(Effect.gen(function*() {
      const watch = yield* LeakWatch.start
      yield* watch.supervise(Effect.forkDaemon(Effect.sleep("30 millis")))
      const timer = setInterval(() => undefined, 5)
      setTimeout(() => clearInterval(timer), 30)
      yield* watch.expectNoneLeft("mine")
    })))
})

describe("TestkitClock", () => {
  it.effect("within fails a step that runs too long, by the wall clock even under a TestClock", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(TestkitClock.within(Effect.never, "20 millis", "c", "the step"))
      expect(e.message).toBe("c: the step did not finish within 20ms")
    }))

  it.effect("drive advances the TestClock until the fiber is done, and gives up after the limit", () =>
    Effect.gen(function*() {
      const sleeper = yield* Effect.fork(Effect.as(Effect.sleep("3 seconds"), "woke"))
      expect(yield* TestkitClock.drive(sleeper, { check: "c", what: "sleeper", step: "1 second" })).toBe("woke")
      const forever = yield* Effect.fork(Effect.sleep(Duration.days(1)))
      const e = yield* Effect.flip(TestkitClock.drive(forever, { check: "c", what: "forever", step: "1 second", limit: "5 seconds" }))
      expect(e.message).toBe("c: forever did not finish after 5s of test time")
    }))
})
