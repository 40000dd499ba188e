import type * as net from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Ref } from "effect"
import { type RawData, SeekPosition, SinkFactory, type SourceFactory } from "../../src/index.js"
import { SinkChecks, SourceChecks } from "../../src/testkit/index.js"
import type { SinkConformanceOptions, SourceConformanceOptions } from "../../src/testkit/index.js"
import { smallDisk } from "../connectors/file/small-disk.js"
import * as Broken from "./fixtures/broken.js"
import * as Journal from "./fixtures/journal.js"
import * as Lines from "./fixtures/line-acceptor.js"
import * as Tail from "./fixtures/tail.js"

const sourceOptions = (factory: SourceFactory.SourceFactory, extra: Partial<SourceConformanceOptions> = {}): SourceConformanceOptions => ({
  factory,
  spec: Broken.sourceSpec,
  expect: { payloads: Broken.events },
  ...extra
})

const output = () => Ref.make<ReadonlyArray<RawData.RawData>>([])

const sinkOptions = (factory: SinkConformanceOptions["factory"], out: Broken.Output): SinkConformanceOptions => ({
  factory,
  spec: Broken.sinkSpec,
  read: () => Ref.get(out),
  timeout: "1 second" // how long a case waits for output that never comes
})

/** Runs `check` and returns the failure it must end with. */
const failureOf = <E>(check: Effect.Effect<void, E>) => Effect.flip(check)

describe("the checks fail where they should, saying what was broken", () => {
  it.live("a close that runs twice fails releasesOnce", () =>
    Effect.gen(function*() {
      const closes = yield* Ref.make(0)
      const e = yield* failureOf(SourceChecks.releasesOnce(sourceOptions(Broken.closeRunsTwice(closes), { closeCount: Ref.get(closes) })))
      expect(e.check).toBe("source.releasesOnce")
      expect(e.message).toBe("source.releasesOnce: close ran 2 times when the scope closed, expected exactly once")
    }))

  it.live("a close that runs twice also fails releasesOnInterrupt", () =>
    Effect.gen(function*() {
      const closes = yield* Ref.make(0)
      const e = yield* failureOf(SourceChecks.releasesOnInterrupt(sourceOptions(Broken.closeRunsTwice(closes), { closeCount: Ref.get(closes) })))
      expect(e.message).toBe("source.releasesOnInterrupt: close ran 2 times in all after the build scope closed, expected exactly once")
    }))

  it.live("caps.seek claimed but not implemented fails seekHonoured", () =>
    Effect.gen(function*() {
      const e = yield* failureOf(SourceChecks.seekHonoured(sourceOptions(Broken.seekClaimedNotImplemented)))
      expect(e.check).toBe("source.seekHonoured")
      expect(e.message).toMatch(/^source\.seekHonoured: caps\.seek is true but Seek\(Start\) failed: \[500 SupplierError\] seek unsupported/)
    }))

  it.live("a claim that disagrees with caps fails the capability's case", () =>
    Effect.gen(function*() {
      const e = yield* failureOf(SourceChecks.ackHonoured(sourceOptions(Broken.seekClaimedNotImplemented, { claims: { ack: true } })))
      expect(e.message).toBe("source.ackHonoured: the connector claims ack = true but the built source has caps.ack = false")
    }))

  it.live("ack implemented but caps.ack false fails ackHonoured", () =>
    Effect.gen(function*() {
      const e = yield* failureOf(SourceChecks.ackHonoured(sourceOptions(Broken.ackNotAdvertised)))
      expect(e.message).toContain("ack succeeded although caps.ack is false")
    }))

  it.live("a source that forgets acks on rebuild fails resumesFromFirstUnacked", () =>
    Effect.gen(function*() {
      const e = yield* failureOf(SourceChecks.resumesFromFirstUnacked({
        factory: Journal.makeSource(yield* Ref.make(0), { persistAcks: false }),
        spec: Journal.sourceSpec(["e0", "e1", "e2", "e3"]),
        expect: { payloads: ["e0", "e1", "e2", "e3"] }
      }))
      expect(e.message).toBe(
        "source.resumesFromFirstUnacked: the rebuilt source resumed at event #0 \"e0\", which was acked; expected the first unacked event #1 \"e1\""
      )
    }))

  it.live("a source that resumes past an unacked event fails resumesFromFirstUnacked", () =>
    Effect.gen(function*() {
      const e = yield* failureOf(SourceChecks.resumesFromFirstUnacked({
        factory: Journal.makeSource(yield* Ref.make(0), { resumePastGaps: true }),
        spec: Journal.sourceSpec(["e0", "e1", "e2", "e3"]),
        expect: { payloads: ["e0", "e1", "e2", "e3"] }
      }))
      expect(e.message).toContain("resumed at event #3 \"e3\", past the first unacked event #1 \"e1\": an event never acked was lost")
    }))

  it.live("a close that hangs fails closeBeforeStart within the bound", () =>
    Effect.gen(function*() {
      const e = yield* failureOf(SourceChecks.closeBeforeStart(sourceOptions(Broken.closeHangs, { stopWithin: "200 millis" })))
      expect(e.message).toBe("source.closeBeforeStart: close before start did not finish within 200ms")
    }))

  it.live("a receive that ignores interruption fails stopEnds within the bound", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const e = yield* failureOf(SourceChecks.stopEnds(sourceOptions(Broken.receiveIgnoresInterruption(gate), { stopWithin: "300 millis" })))
      yield* Deferred.succeed(gate, undefined)
      expect(e.message).toBe("source.stopEnds: the stream after Stop did not finish within 300ms")
    }))

  it.live("a server left listening fails leavesNoHandles, naming the handle type", () =>
    Effect.gen(function*() {
      const servers: Array<net.Server> = []
      const e = yield* failureOf(SourceChecks.leavesNoHandles(sourceOptions(Broken.leaksServer(servers))))
      for (const s of servers) s.close()
      expect(e.message).toMatch(/^source\.leavesNoHandles: left running after its scope closed: handles still open: .*TCPServerWrap \+1/)
    }))

  it.live("a refusal that dies instead of failing with a code fails refusesInvalid", () =>
    Effect.gen(function*() {
      const e = yield* failureOf(SourceChecks.refusesInvalid(sourceOptions(Broken.refusesWithoutCode, {
        invalid: [{ spec: { ...Broken.sourceSpec, params: { port: -1 } } }]
      })))
      expect(e.message).toBe("source.refusesInvalid: invalid spec #0 (params {\"port\":-1}) died instead of failing with a coded error: bad port")
    }))

  it.live("an invalid spec that is accepted fails refusesInvalid", () =>
    Effect.gen(function*() {
      const e = yield* failureOf(SourceChecks.refusesInvalid(sourceOptions(Broken.refusesWithoutCode, {
        invalid: [{ spec: { ...Broken.sourceSpec, params: { port: 80 } } }]
      })))
      expect(e.message).toContain("invalid spec #0 (params {\"port\":80}) was accepted by validateSpec and build; expected a coded error")
    }))

  it.live("a batch written out of order fails sinkStrBatchKeepsOrder", () =>
    Effect.gen(function*() {
      const out = yield* output()
      const e = yield* failureOf(SinkChecks.sinkStrBatchKeepsOrder(sinkOptions(Broken.writesBatchOutOfOrder(out), out)))
      expect(e.check).toBe("sink.sinkStrBatchKeepsOrder")
      expect(e.message).toMatch(
        /^sink\.sinkStrBatchKeepsOrder: sinkStrBatch did not write the batch whole and in order: at #0 expected "alpha" but got "beta 2" \(it came later, at #1: out of order\)/
      )
    }))

  it.live("a batch written out of order also fails the bytes, records and single-vs-batch cases", () =>
    Effect.gen(function*() {
      const out = yield* output()
      expect((yield* failureOf(SinkChecks.sinkBytesBatchKeepsOrder(sinkOptions(Broken.writesBatchOutOfOrder(out), out)))).message).toContain(
        "sink.sinkBytesBatchKeepsOrder: sinkBytesBatch did not write the batch whole and in order: at #0"
      )
      const records = yield* Ref.make<ReadonlyArray<RawData.RawData>>([])
      const byRecord = yield* failureOf(SinkChecks.sinkRecordsKeepOrder(sinkOptions(Broken.writesBatchOutOfOrder(records), records)))
      expect(byRecord.message).toContain(
        "sink.sinkRecordsKeepOrder: sinkRecords did not write the batch whole and in order: at #0 expected \"{\\\"seq\\\":\\\"0\\\",\\\"msg\\\":\\\"alpha\\\"}\" but got \"{\\\"seq\\\":\\\"1\\\""
      )
      const singles = yield* failureOf(SinkChecks.singleAgreesWithBatch(sinkOptions(Broken.writesBatchOutOfOrder(out), out)))
      expect(singles.message).toContain("sinkStrBatch (payloads 8..15 of the output) disagrees with what the other form wrote: at #0")
    }))

  it.live("a record encoder that disagrees with sinkRecords, or whose separator does not join, fails recordEncoderAgrees", () =>
    Effect.gen(function*() {
      const out = yield* output()
      const differs = yield* failureOf(SinkChecks.recordEncoderAgrees(sinkOptions(Broken.encoderDisagrees(out, false), out)))
      expect(differs.message).toContain(
        "sink.recordEncoderAgrees: recordEncoder.write(records encoded) did not write what sinkRecords writes: at #0 expected \"{\\\"seq\\\":\\\"0\\\",\\\"msg\\\":\\\"alpha\\\"}\" but got \"alpha\""
      )
      const out2 = yield* output()
      const joined = yield* failureOf(SinkChecks.recordEncoderAgrees(sinkOptions(Broken.encoderDisagrees(out2, true), out2)))
      expect(joined.message).toContain("sink.recordEncoderAgrees: ")
      expect(joined.message).toContain("joined by its separator")
    }))

  it.live("a record encoder whose bytes are not what its texts are, or whose bytes.write does not split chunks, fails recordEncoderAgrees", () =>
    Effect.gen(function*() {
      const out = yield* output()
      const encodes = yield* failureOf(SinkChecks.recordEncoderAgrees(sinkOptions(Broken.bytesDisagree(out, "encode"), out)))
      expect(encodes.message).toContain(
        "sink.recordEncoderAgrees: recordEncoder.bytes.write of the records encoded into bytes did not write them all, in order: at #0 expected \"{\\\"seq\\\":\\\"0\\\",\\\"msg\\\":\\\"alpha\\\"}\" but got \"alpha\""
      )
      const out2 = yield* output()
      const writes = yield* failureOf(SinkChecks.recordEncoderAgrees(sinkOptions(Broken.bytesDisagree(out2, "write"), out2)))
      expect(writes.message).toContain("sink.recordEncoderAgrees: recordEncoder.bytes.write of the records encoded into bytes did not write them all, in order")
    }))

  it.live("a sink that copies records by their own properties (structuredClone) fails on a record held as its parser made it", () =>
    Effect.gen(function*() {
      const out = yield* output()
      const e = yield* failureOf(SinkChecks.sinkRecordsKeepOrder(sinkOptions(Broken.clonesRecords(out), out)))
      // the copy of record #1 has no fields: writing it fails
      expect(e.message).toBe("sink.sinkRecordsKeepOrder: sinkRecords failed: Cannot read properties of undefined (reading 'length')")
    }))

  it.live("a sink that accepts writes after stop fails refusesWritesAfterStop", () =>
    Effect.gen(function*() {
      const out = yield* output()
      const e = yield* failureOf(SinkChecks.refusesWritesAfterStop(sinkOptions(Broken.acceptsWritesAfterStop(out), out)))
      expect(e.message).toBe(
        "sink.refusesWritesAfterStop: sinkStr after stop succeeded: a stopped sink must fail with a coded error (SinkUnavailable \"sink stopped\"), never accept data silently"
      )
    }))

  it.live("a sink that accepts writes after stop fails scopeStops and stopDuringWrite", () =>
    Effect.gen(function*() {
      const out = yield* output()
      const options = sinkOptions(Broken.acceptsWritesAfterStop(out), out)
      expect((yield* failureOf(SinkChecks.scopeStops(options))).message).toContain(
        "closing the build scope did not stop the sink: sinkStr after the build scope closed after stop succeeded"
      )
      expect((yield* failureOf(SinkChecks.stopDuringWrite(options))).message).toBe(
        "sink.stopDuringWrite: the batch reported success although the sink was stopped after 2 of its 8 payloads: the rest went into a stopped sink"
      )
    }))

  it.live("a sink whose stop drops buffered writes fails stopDuringWrite", () =>
    Effect.gen(function*() {
      const out = yield* output()
      const e = yield* failureOf(SinkChecks.stopDuringWrite(sinkOptions(Broken.dropsBufferOnStop(out), out)))
      expect(e.message).toContain("sink.stopDuringWrite: the 2 payloads written before Stop are not in the output as written: 2 missing from #0")
    }))

  it.live("a reconnect that switches output fails reconnectKeepsConfig", () =>
    Effect.gen(function*() {
      const out = yield* output()
      const e = yield* failureOf(SinkChecks.reconnectKeepsConfig(sinkOptions(Broken.reconnectWritesElsewhere(out, yield* output()), out)))
      expect(e.message).toContain("after reconnect the sink lost data or wrote elsewhere: 3 missing from #1")
    }))

  it.live("a reconnect that fails fails retryThroughReconnect", () =>
    Effect.gen(function*() {
      const out = yield* output()
      const e = yield* failureOf(SinkChecks.retryThroughReconnect(sinkOptions(Broken.reconnectFails(out), out)))
      expect(e.message).toBe("sink.retryThroughReconnect: reconnect after a retryable failure failed: [500 Sink] cannot reconnect")
    }))

  it.live("a text-only sink fails bytesRoundTrip unless it says bytes are lossy", () =>
    Effect.gen(function*() {
      const out = yield* output()
      const options = sinkOptions(Broken.storesTextOnly(out), out)
      const e = yield* failureOf(SinkChecks.bytesRoundTrip(options))
      expect(e.message).toContain("bytes that are not UTF-8 did not survive a bytes round trip: at #1 expected bytes[ff fe 00 80] but got")
      yield* SinkChecks.bytesRoundTrip({ ...options, bytes: "lossy" })
    }))

  it.live("a sink without a reader is a setup failure that says so", () =>
    Effect.gen(function*() {
      const out = yield* output()
      const e = yield* failureOf(SinkChecks.sinkStrBatchKeepsOrder({ factory: Broken.storesTextOnly(out), spec: Broken.sinkSpec }))
      expect(e.message).toBe("sink.sinkStrBatchKeepsOrder: no `read` was given (in the options or the setup): the cases cannot see what the sink wrote")
    }))
})

describe("the bug classes the suites used to pass (issue 13) fail now, saying what was broken", () => {
  it.live("a source whose daemon poller outlives its scope fails leavesNoHandles, naming the fiber", () =>
    Effect.gen(function*() {
      const e = yield* failureOf(SourceChecks.leavesNoHandles(sourceOptions(Broken.leaksDaemonFiber)))
      expect(e.message).toMatch(/^source\.leavesNoHandles: left running after its scope closed: 1 fiber still running: fiber #\d+ \(in span "broken poller"\)/)
    }))

  it.live("a sink whose unref'd setInterval outlives its scope fails leavesNoHandles, naming the timer", () =>
    Effect.gen(function*() {
      const out = yield* output()
      const e = yield* failureOf(SinkChecks.leavesNoHandles(sinkOptions(Broken.leaksInterval(out), out)))
      expect(e.message).toMatch(/^sink\.leavesNoHandles: left running after its scope closed: 1 timer still pending: setInterval every 50 ms \(callback flushTick\)/)
    }))

  it.live("a sink that swallows its target's write errors fails targetFailureIsFailure on a full disk; the honest one passes", () =>
    Effect.gen(function*() {
      const onSmallDisk = (factory: SinkFactory.SinkFactory): SinkConformanceOptions => ({
        factory,
        spec: Effect.map(smallDisk(1024 * 1024), (disk) => ({
          spec: Journal.sinkSpec(),
          ctx: SinkFactory.buildCtx({ workRoot: disk.dir }),
          breakTarget: [{ name: "disk full", run: () => disk.fill() }]
        })),
        read: ({ ctx, spec }) => Journal.readJournal(Journal.journalPath(ctx.workRoot, spec))
      })
      const e = yield* failureOf(SinkChecks.targetFailureIsFailure(onSmallDisk(Journal.makeSinkFactory({ swallowWriteErrors: true }))))
      expect(e.message).toMatch(
        /^sink\.targetFailureIsFailure: after the target was broken \(disk full\), 25 batches in a row \(6400 payloads: \["alpha after disk full #0\.0", .*\) reported success: the sink swallows its target's write errors; expected a write to fail with a coded SinkError$/
      )
      yield* SinkChecks.targetFailureIsFailure(onSmallDisk(Journal.sinkFactory))
    }))

  it.live("a sink given no way to break its target fails targetFailureIsFailure, saying how to give one", () =>
    Effect.gen(function*() {
      const out = yield* output()
      const e = yield* failureOf(SinkChecks.targetFailureIsFailure(sinkOptions(Broken.storesTextOnly(out), out)))
      expect(e.message).toContain("sink.targetFailureIsFailure: no `breakTarget` was given (in the options or the setup)")
      yield* SinkChecks.targetFailureIsFailure({ ...sinkOptions(Broken.storesTextOnly(out), out), breakTarget: [] })
    }))

  it.live("a sink that reports a write before its data landed (fire and forget) fails readableOnReturn", () =>
    Effect.gen(function*() {
      const out = yield* output()
      const options = sinkOptions(Broken.firesAndForgets(out), out)
      const e = yield* failureOf(SinkChecks.readableOnReturn(options))
      expect(e.message).toBe(
        "sink.readableOnReturn: sinkStr of [\"alpha\"] reported success, but a read right after its return, with no grace delay, did not find everything written so far (a write must be reported done only once its data is at the target): 1 missing from #0: got 0 of 1 (expected [\"alpha\"], got [])"
      )
    }))

  for (const { broken, sink, smallBatches, wrong } of [
    {
      sink: "that writes the chunks of a large batch in parallel",
      broken: Broken.writesChunksInParallel,
      smallBatches: SinkChecks.sinkStrBatchKeepsOrder,
      wrong: `batch #2: at #16 expected "alpha #16" but got "alpha #4016" (it came later, at #4016: out of order)`
    },
    {
      sink: "whose large batch overtakes the small batches it buffered",
      broken: Broken.largeBatchOvertakes,
      smallBatches: SinkChecks.singleAgreesWithBatch,
      wrong: `batch #0: at #0 expected "alpha #0" but got "alpha #16" (it came later, at #5000: out of order)`
    }
  ]) {
    it.live(`a sink ${sink} fails largeBatchKeepsOrder (small batches pass)`, () =>
      Effect.gen(function*() {
        const out = yield* output()
        const options = sinkOptions(broken(out), out)
        yield* smallBatches(options)
        const e = yield* failureOf(SinkChecks.largeBatchKeepsOrder(options))
        const expected = `sink.largeBatchKeepsOrder: batches of sizes [8,8,5000,8,8] written in a row did not come back whole and in order: the first wrong payload is in ${wrong}`
        expect(e.message.slice(0, expected.length)).toBe(expected)
      }))
  }

  it.live("a sink that loses the tail of a batch when stopped mid-write fails stopMidBatch", () =>
    Effect.gen(function*() {
      const out = yield* output()
      const e = yield* failureOf(SinkChecks.stopMidBatch(sinkOptions(Broken.losesTailOnStop(out), out)))
      expect(e.message).toMatch(
        /^sink\.stopMidBatch: a batch of 5000 payloads reported success \(Stop arrived (at the start of the write|once part of the batch was in the output.*)\), but it is not in the output whole and in order \(the tail was lost\): \d+ missing from #\d+: got \d+ of 5000/
      )
    }))

  it.live("a source that hands out stale read-ahead after a Seek mid-stream fails seekMidStream (seeking after the end passes)", () =>
    Effect.gen(function*() {
      const lines = ["e0", "e1", "e2", "e3", "e4"]
      const options: SourceConformanceOptions = { factory: Tail.factory({ staleReadAhead: true }), spec: Tail.setup(lines), expect: { payloads: lines } }
      yield* SourceChecks.seekHonoured(options)
      const e = yield* failureOf(SourceChecks.seekMidStream(options))
      expect(e.message).toBe(
        "source.seekMidStream: after Seek(Start) issued mid-stream (after the first batch, [\"e0\", \"e1\"]), the source did not replay exactly from the position (stale buffered or read-ahead events?): at #0 expected \"e0\" but got \"e2\" (it came later, at #3: out of order) (expected [\"e0\", \"e1\", \"e2\", \"e3\", \"e4\"], got [\"e2\", \"e3\", \"e4\", \"e0\", \"e1\", \"e2\", \"e3\", \"e4\"])"
      )
    }))

  it.live("a source whose Seek(End) lands one line early fails seekEndThenAppend, naming the old event", () =>
    Effect.gen(function*() {
      const lines = ["e0", "e1", "e2", "e3", "e4"]
      const e = yield* failureOf(SourceChecks.seekEndThenAppend({
        factory: Tail.factory({ endOffByOne: true }),
        spec: Tail.setup(lines),
        append: Tail.append,
        expect: { payloads: lines }
      }))
      expect(e.message).toBe(
        "source.seekEndThenAppend: after every event was read, Seek(End) was followed by [\"e4\"]: events from before the seek (its position is off); expected nothing until new events arrive"
      )
    }))
})

describe("what the suites caught before stays caught", () => {
  it.live("a source that acks each event as it hands it out (before delivery) fails resumesFromFirstUnacked", () =>
    Effect.gen(function*() {
      const e = yield* failureOf(SourceChecks.resumesFromFirstUnacked({
        factory: Journal.makeSource(yield* Ref.make(0), { ackOnDelivery: true }),
        spec: Journal.sourceSpec(["e0", "e1", "e2", "e3"]),
        expect: { payloads: ["e0", "e1", "e2", "e3"] },
        timeout: "1 second"
      }))
      expect(e.message).toBe(
        "source.resumesFromFirstUnacked: the rebuilt source yielded nothing within 1s; expected it to resume at the first unacked event #1 \"e1\""
      )
    }))

  it.live("an acceptor that keeps serving after Stop fails stopEnds", () =>
    Effect.gen(function*() {
      const e = yield* failureOf(SourceChecks.stopEnds({
        factory: Lines.makeFactory({ ignoreStop: true }),
        spec: Lines.spec,
        feed: Lines.feed,
        expect: { payloads: ["one", "two"] },
        stopWithin: "300 millis"
      }))
      expect(e.message).toBe("source.stopEnds: acceptConnection after Stop did not finish within 300ms")
    }))

  it.live("a source that drops its backlog on Isolate(true) fails isolateResumes", () =>
    Effect.gen(function*() {
      const e = yield* failureOf(SourceChecks.isolateResumes({
        factory: Lines.makeFactory({ dropOnIsolate: true }),
        spec: Lines.spec,
        feed: Lines.feed,
        expect: { payloads: ["one", "two", "three", "four"] },
        timeout: "1 second"
      }))
      expect(e.message).toMatch(/^source\.isolateResumes: got \d of 3 expected events within 1s/)
    }))

  it.live("a source whose Seek is ignored, or lands one line off, fails seekHonoured", () =>
    Effect.gen(function*() {
      const lines = ["e0", "e1", "e2", "e3", "e4"]
      const options = (quirks: Tail.Quirks): SourceConformanceOptions => ({
        factory: Tail.factory(quirks),
        spec: Tail.setup(lines),
        expect: { payloads: lines },
        seekBack: { position: SeekPosition.Offset({ offset: 2 }), replay: ["e2", "e3", "e4"] },
        timeout: "1 second"
      })
      const ignored = yield* failureOf(SourceChecks.seekHonoured(options({ seekIgnored: true })))
      expect(ignored.message).toBe("source.seekHonoured: after Seek(Offset) the source did not replay from the position: 3 missing from #0: got 0 of 3 (expected [\"e2\", \"e3\", \"e4\"], got [])")
      const offByOne = yield* failureOf(SourceChecks.seekHonoured(options({ offsetOffByOne: true })))
      expect(offByOne.message).toContain("source.seekHonoured: after Seek(Offset) the source did not replay from the position: at #0 expected \"e2\" but got \"e3\"")
    }))
})

describe("the suites", () => {
  it("name each case by the check its failures carry, once", () => {
    for (const [prefix, module, all] of [["source", SourceChecks, SourceChecks.all], ["sink", SinkChecks, SinkChecks.all]] as const) {
      const ids = all.map((c) => c.id)
      expect(new Set(ids).size).toBe(ids.length)
      for (const c of all) {
        const exported = Object.entries(module).find(([, v]) => v === c.run)?.[0]
        expect(`${prefix}.${exported}`).toBe(c.id)
      }
    }
  })
})
