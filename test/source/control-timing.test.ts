/**
 * The contract of control events (docs/guide.md, "Control"): once the publish of a Stop / Isolate / Seek has
 * returned, at most the one batch whose `receive` had already started is delivered before the event applies, and
 * a batch a source read ahead or buffered before a Seek is never handed out after it. Proved for a prompt
 * synchronous source, a waiting source and an acceptor (tcp), for each of the three events, and for a source that
 * reads ahead (file).
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, type Scope } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as File from "../../src/connectors/file/index.js"
import * as Tcp from "../../src/connectors/tcp/index.js"
import { ControlPlane, DataSource, ParamMap, SeekPosition, SourceFactory } from "../../src/index.js"
import type { SourceBatch, SourceError } from "../../src/index.js"
import { connect, eventually, text } from "../connectors/tcp/harness.js"
import { ev } from "./helpers.js"

type Pull = Effect.Effect<Option.Option<SourceBatch>, SourceError>

/** Ids of a batch. */
const idsOf = (batch: SourceBatch): Array<number> => batch.map((e) => e.eventId)

/**
 * Pulls on its own fiber until the pull ends, recording each batch's ids in `delivered`; yields the fiber.
 * A batch counts as delivered once the pull handed it out.
 */
const consume = (pull: Pull, delivered: Array<Array<number>>) =>
  Effect.fork(Effect.iterate(true, {
    while: (more) => more,
    body: () => Effect.map(pull, (next) => Option.isSome(next) && (delivered.push(idsOf(next.value)), true))
  }))

/** Lets the other fibers run until `check` holds (at most `rounds` turns). */
const until = (check: () => boolean, rounds = 100_000) =>
  Effect.gen(function*() {
    for (let i = 0; i < rounds && !check(); i++) yield* Effect.yieldNow()
    expect(check()).toBe(true)
  })

/**
 * A prompt, synchronous source (like `memory`): one-event batches numbered from 0, from `receive` and from the
 * `tryReceive` fast path alike, never waiting; it seeks to an `Offset` (the next id). `produced` lists every
 * batch it handed to the pull, in order.
 */
const promptSource = () => {
  let next = 0
  const produced: Array<Array<number>> = []
  const batch = (): SourceBatch => {
    const id = next++
    produced.push([id])
    return [ev(id)]
  }
  const source = DataSource.make({
    identifier: "prompt",
    promptReceive: true,
    receive: Effect.sync(batch),
    tryReceive: () => Option.some(batch()),
    seek: (position) => Effect.sync(() => void (next = position._tag === "Offset" ? position.offset : 0))
  })
  return { source, produced }
}

/**
 * A source whose `receive` waits until the test `supply`s events (ids count from 0); it takes what is there
 * (interrupt-safe: events leave only in the step that returns them) and seeks to an `Offset` (the next id).
 * `receives` counts the receives started.
 */
const waitingSource = () => {
  let cursor = 0
  let available = 0
  let receives = 0
  let wake: (() => void) | undefined
  const waitForData = Effect.async<void>((resume) => {
    if (cursor < available) return resume(Effect.void)
    wake = () => {
      wake = undefined
      resume(Effect.void)
    }
    return Effect.sync(() => {
      wake = undefined
    })
  })
  const take = Effect.sync((): SourceBatch => {
    const batch = Array.from({ length: available - cursor }, (_, i) => ev(cursor + i))
    cursor = available
    return batch
  })
  const receive: Effect.Effect<SourceBatch, SourceError> = Effect.uninterruptibleMask((restore) =>
    Effect.suspend(() => {
      receives++
      const loop: Effect.Effect<SourceBatch> = Effect.suspend(() =>
        cursor < available ? take : Effect.zipRight(restore(waitForData), loop)
      )
      return loop
    })
  )
  const source = DataSource.make({
    identifier: "waiting",
    receive,
    seek: (position) => Effect.sync(() => void (cursor = position._tag === "Offset" ? position.offset : 0))
  })
  return {
    source,
    receives: () => receives,
    supply: (n: number) => {
      available += n
      wake?.()
    }
  }
}

/** A prompt source pulled under a fresh control plane, 50 batches delivered and still running. */
const promptRunning = Effect.gen(function*() {
  const plane = yield* ControlPlane.make
  const { source, produced } = promptSource()
  const pull = yield* DataSource.toPull(source, { control: plane })
  const delivered: Array<Array<number>> = []
  const consumer = yield* consume(pull, delivered)
  yield* until(() => delivered.length >= 50)
  return { consumer, delivered, plane, produced }
})

describe("control events on a prompt synchronous source", () => {
  it.scoped("Stop: after the publish returned, only the batch whose receive had started is delivered", () =>
    Effect.gen(function*() {
      const { consumer, delivered, plane, produced } = yield* promptRunning
      yield* plane.stop
      const deliveredAt = delivered.length
      const producedAt = produced.length
      yield* Fiber.join(consumer)
      // at most one receive can be between handing its batch out and the consumer recording it
      expect(producedAt - deliveredAt).toBeLessThanOrEqual(1)
      expect(delivered.slice(deliveredAt)).toEqual(produced.slice(deliveredAt, producedAt))
      expect(produced.length).toBe(producedAt) // no receive ran after the publish
    }))

  it.scoped("Isolate: after the publish returned nothing more is read until Isolate(false); nothing lost or repeated", () =>
    Effect.gen(function*() {
      const { consumer, delivered, plane, produced } = yield* promptRunning
      yield* plane.isolate(true)
      const deliveredAt = delivered.length
      const producedAt = produced.length
      for (let i = 0; i < 1000; i++) yield* Effect.yieldNow()
      expect(producedAt - deliveredAt).toBeLessThanOrEqual(1)
      expect(delivered.slice(deliveredAt)).toEqual(produced.slice(deliveredAt, producedAt))
      expect(produced.length).toBe(producedAt)
      yield* plane.isolate(false)
      yield* until(() => delivered.length >= producedAt + 20)
      yield* plane.stop
      yield* Fiber.join(consumer)
      expect(delivered).toEqual(delivered.map((_, i) => [i]))
    }))

  it.scoped("Seek: after the publish returned, the next batch but the one in flight comes from the new position", () =>
    Effect.gen(function*() {
      const { consumer, delivered, plane, produced } = yield* promptRunning
      yield* plane.seek(SeekPosition.Offset({ offset: 0 }))
      const deliveredAt = delivered.length
      const producedAt = produced.length
      yield* until(() => delivered.length >= deliveredAt + 5)
      yield* plane.stop
      yield* Fiber.join(consumer)
      const inFlight = produced.slice(deliveredAt, producedAt)
      expect(inFlight.length).toBeLessThanOrEqual(1)
      const after = delivered.slice(deliveredAt)
      expect(after.slice(0, inFlight.length)).toEqual(inFlight)
      expect(after.slice(inFlight.length, inFlight.length + 3)).toEqual([[0], [1], [2]])
    }))
})

/**
 * A waiting source pulled under a fresh control plane: its first batch `[0, 1, 2]` delivered and its
 * second `receive` started (waiting for data).
 */
const waitingFirstBatch = Effect.gen(function*() {
  const plane = yield* ControlPlane.make
  const { receives, source, supply } = waitingSource()
  const pull = yield* DataSource.toPull(source, { control: plane })
  const delivered: Array<Array<number>> = []
  const consumer = yield* consume(pull, delivered)
  supply(3)
  yield* until(() => delivered.length === 1 && receives() === 2)
  return { consumer, delivered, plane, receives, supply }
})

describe("control events on a waiting source", () => {
  it.scoped("Stop: the receive waiting is interrupted and the stream ends, nothing more delivered", () =>
    Effect.gen(function*() {
      const { consumer, delivered, plane, receives, supply } = yield* waitingFirstBatch
      yield* plane.stop
      const deliveredAt = delivered.length
      // the stream ends without waiting for data
      yield* Fiber.join(consumer)
      supply(3)
      expect(delivered.slice(deliveredAt)).toEqual([])
      expect(receives()).toBe(2)
    }))

  it.scoped("Stop: a batch that raced in with the Stop is the one delivered, then the stream ends", () =>
    Effect.gen(function*() {
      const { consumer, delivered, plane, receives, supply } = yield* waitingFirstBatch
      // the data arrives for the receive in flight, and the Stop is published before its fiber ran
      yield* Effect.zipRight(Effect.sync(() => supply(2)), plane.stop)
      const deliveredAt = delivered.length
      yield* Fiber.join(consumer)
      const after = delivered.slice(deliveredAt)
      expect(after.length).toBeLessThanOrEqual(1)
      if (after.length === 1) expect(after).toEqual([[3, 4]])
      expect(receives()).toBe(2)
    }))

  it.scoped("Isolate: the receive in flight delivers its batch, then nothing is read until Isolate(false)", () =>
    Effect.gen(function*() {
      const { consumer, delivered, plane, receives, supply } = yield* waitingFirstBatch
      yield* plane.isolate(true)
      const deliveredAt = delivered.length
      supply(2) // for the receive that had started
      yield* until(() => delivered.length === deliveredAt + 1)
      supply(2)
      for (let i = 0; i < 1000; i++) yield* Effect.yieldNow()
      expect(delivered.slice(deliveredAt)).toEqual([[3, 4]])
      expect(receives()).toBe(2)
      yield* plane.isolate(false)
      yield* until(() => delivered.length === deliveredAt + 2)
      yield* plane.stop
      yield* Fiber.join(consumer)
      expect(delivered).toEqual([[0, 1, 2], [3, 4], [5, 6]])
    }))

  it.scoped("Seek: the receive in flight delivers its batch, then the next one comes from the new position", () =>
    Effect.gen(function*() {
      const { consumer, delivered, plane, supply } = yield* waitingFirstBatch
      yield* plane.seek(SeekPosition.Offset({ offset: 1 }))
      const deliveredAt = delivered.length
      supply(2)
      yield* until(() => delivered.length === deliveredAt + 2)
      yield* plane.stop
      yield* Fiber.join(consumer)
      expect(delivered.slice(deliveredAt)).toEqual([[3, 4], [1, 2, 3, 4]])
    }))
})

/** A bound tcp source (batches of 10 events) serving with its own subscription to `plane`, and its pull. */
const tcpSource = (plane: ControlPlane.ControlPlane, drainOnStop: boolean) =>
  Effect.gen(function*() {
    const params = yield* ParamMap.decodeParams(Tcp.SourceParams, { port: 0, batch_events: 10 })
    const { acceptor, source } = yield* Tcp.TcpSource.make("t", params)
    const ctrl = yield* plane.subscribe
    yield* Effect.forkScoped(acceptor.acceptConnection(ctrl))
    const pull = yield* DataSource.toPull(source, { control: plane, drainOnStop })
    return { acceptor, pull }
  })

const lines = (from: number, n: number): string => Array.from({ length: n }, (_, i) => `l${from + i}\n`).join("")

/** The payloads of the batches `pull` hands out until it ends. */
const drain = (pull: Pull): Effect.Effect<Array<Array<string>>, SourceError> =>
  Effect.gen(function*() {
    const out: Array<Array<string>> = []
    while (true) {
      const next = yield* pull
      if (Option.isNone(next)) return out
      out.push(next.value.map(text))
    }
  })

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => `l${from + i}`)

/** A tcp source (see `tcpSource`) under a fresh control plane, with 30 lines from one client accepted and queued. */
const thirtyQueued = (drainOnStop: boolean) =>
  Effect.gen(function*() {
    const plane = yield* ControlPlane.make
    const { acceptor, pull } = yield* tcpSource(plane, drainOnStop)
    const client = yield* connect(acceptor.port)
    yield* client.write(lines(0, 30))
    yield* eventually(() => acceptor.stats().frames === 30, "30 frames accepted")
    return { acceptor, client, plane, pull }
  })

describe("control events on an acceptor (tcp)", () => {
  it.live("Stop (as the engine runs it, drainOnStop): what was accepted before is delivered, nothing sent after", () =>
    Effect.scoped(Effect.gen(function*() {
      const { acceptor, client, plane, pull } = yield* thirtyQueued(true)
      const first = yield* pull
      expect(Option.map(first, (b) => b.map(text))).toEqual(Option.some(range(0, 10)))
      yield* plane.stop
      // sent after the publish returned, on the open connection and on a new one: never delivered
      yield* client.write(lines(30, 10)).pipe(Effect.timeout(Duration.seconds(1)), Effect.ignore)
      yield* Effect.scoped(Effect.flatMap(connect(acceptor.port), (late) => late.write(lines(40, 10)))).pipe(
        Effect.timeout(Duration.seconds(1)),
        Effect.ignore
      )
      expect(yield* drain(pull)).toEqual([range(10, 10), range(20, 10)])
      expect(acceptor.stats().frames).toBe(30)
    })))

  it.live("Stop (toPull's default): no batch after the publish returned; the events still queued are not handed out", () =>
    Effect.scoped(Effect.gen(function*() {
      const { plane, pull } = yield* thirtyQueued(false)
      expect(Option.map(yield* pull, (b) => b.map(text))).toEqual(Option.some(range(0, 10)))
      yield* plane.stop
      expect(yield* drain(pull)).toEqual([])
    })))

  it.live("Isolate: the receive in flight delivers its batch, then nothing until Isolate(false), in order", () =>
    Effect.scoped(Effect.gen(function*() {
      const plane = yield* ControlPlane.make
      const { acceptor, pull } = yield* tcpSource(plane, true)
      const client = yield* connect(acceptor.port)
      // a receive waits for data when the Isolate is published: it delivers the batch it gets
      const inFlight = yield* Effect.fork(pull)
      yield* eventually(() => acceptor.stats().accepted === 1, "the connection accepted")
      yield* Effect.sleep(Duration.millis(20))
      yield* plane.isolate(true)
      yield* client.write(lines(0, 30))
      yield* eventually(() => acceptor.stats().frames === 30, "30 frames accepted")
      const got = yield* Fiber.join(inFlight)
      expect(Option.map(got, (b) => b.map(text))).toEqual(Option.some(range(0, 10)))
      // isolated: the next pull hands out nothing, though 20 events wait
      const next = yield* Effect.fork(pull)
      yield* Effect.sleep(Duration.millis(100))
      expect(Option.isNone(yield* Fiber.poll(next))).toBe(true)
      yield* plane.isolate(false)
      expect(Option.map(yield* Fiber.join(next), (b) => b.map(text))).toEqual(Option.some(range(10, 10)))
      expect(Option.map(yield* pull, (b) => b.map(text))).toEqual(Option.some(range(20, 10)))
      yield* plane.stop
      expect(yield* drain(pull)).toEqual([])
    })))

  it.live("Seek: no queued batch is handed out after it; the pull fails, as the acceptor cannot seek", () =>
    Effect.scoped(Effect.gen(function*() {
      const { plane, pull } = yield* thirtyQueued(true)
      expect(Option.map(yield* pull, (b) => b.map(text))).toEqual(Option.some(range(0, 10)))
      yield* plane.seek(SeekPosition.Start())
      const error = yield* Effect.flip(pull)
      expect(error._tag).toBe("SourceSupplierError")
      expect(error.detail).toBe("seek unsupported: source tcp:t does not advertise caps.seek")
    })))
})

describe("Seek on a source that reads ahead (file)", () => {
  it.live("a batch read ahead before the Seek is never handed out after it", () =>
    Effect.scoped(Effect.gen(function*() {
      const dir = yield* Effect.acquireRelease(
        Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "wpc-seek-"))),
        (d) => Effect.sync(() => fs.rmSync(d, { recursive: true, force: true }))
      )
      // 100 lines of 5 bytes: "f000\n" .. "f099\n"
      const line = (i: number) => `f${String(i).padStart(3, "0")}`
      const lineRange = (from: number, n: number) => Array.from({ length: n }, (_, i) => line(from + i))
      fs.writeFileSync(path.join(dir, "in.log"), lineRange(0, 100).map((l) => `${l}\n`).join(""))
      const plane = yield* ControlPlane.make
      const source = yield* fileSource(dir)
      const pull = yield* DataSource.toPull(source, { control: plane })
      expect(Option.map(yield* pull, (b) => b.map(text))).toEqual(Option.some(lineRange(0, 10)))
      // the source holds lines read ahead of what it handed out: after the Seek they are never handed out
      yield* plane.seek(SeekPosition.Start())
      expect(Option.map(yield* pull, (b) => b.map(text))).toEqual(Option.some(lineRange(0, 10)))
      yield* plane.seek(SeekPosition.Offset({ offset: 5 * 50 }))
      expect(Option.map(yield* pull, (b) => b.map(text))).toEqual(Option.some(lineRange(50, 10)))
    })))
})

/** A `file` source over `<dir>/in.log` in batches of 10 lines, reading 256 bytes at a time (so it reads ahead). */
const fileSource = (dir: string): Effect.Effect<DataSource.DataSource, unknown, Scope.Scope> =>
  Effect.map(
    File.FileSource.factory.build(
      { name: "f", kind: "file", connectorId: "file-src", params: { base: dir, file: "in.log", batch_lines: 10, read_bytes: 256, checkpoint: false }, tags: [] },
      SourceFactory.buildCtx(dir)
    ),
    (svc) => svc.sources[0]!.source
  )
