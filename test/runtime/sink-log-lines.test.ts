import { afterAll, describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Logger, LogLevel } from "effect"
import { AsyncSink, ConnectorRegistry, SinkError, SinkFactory } from "../../src/index.js"
import { UnifiedReason } from "../../src/errors/unified.js"
import * as Engine from "../../src/runtime/engine.js"
import { labRegistry, makeLab, pipeline, removeScratch, scratch, seqSource, snk, src } from "./fixtures.js"

afterAll(removeScratch)

/** A sink whose first write fails with a network error (retried), and every later one with a resource error (rescued). */
const failing = SinkFactory.make({
  kind: "failing",
  build: () =>
    Effect.sync(() => {
      let attempts = 0
      const write = () =>
        Effect.suspend(() => {
          attempts += 1
          return Effect.fail(
            attempts === 1 ? SinkError.uvs(UnifiedReason.network("link down")) : SinkError.uvs(UnifiedReason.resource("out of memory"))
          )
        })
      return SinkFactory.handle(AsyncSink.make({ identifier: "failing", sinkStr: write, sinkStrBatch: write }))
    })
})

describe("Engine: log lines of sink and ack failures", () => {
  it.live("name a sink error's code and reason once: [202 Uvs] NetworkError: ..., [203 Uvs] ResourceError: ...", () => {
    const lab = makeLab()
    const registry = ConnectorRegistry.fromConnectors(
      ConnectorRegistry.register({ kind: "seq", source: seqSource(lab) }),
      ConnectorRegistry.register({ kind: "failing", sink: failing })
    )
    const spec = pipeline(scratch("wpc-log-lines-"), [src("s", { count: 3, batch: 3 })], [
      { name: "g", sinks: [snk("g", "out", {}, { kind: "failing" })] }
    ])
    const lines: Array<string> = []
    const capture = Logger.make(({ message }) => {
      lines.push((Array.isArray(message) ? message : [message]).map(String).join(" "))
    })
    return Effect.gen(function*() {
      const report = yield* Engine.runPipeline(spec, { batchWait: Duration.zero, retryBaseDelay: Duration.millis(2), retryMaxDelay: Duration.millis(20) })
      expect(report.sinks[0]).toMatchObject({ rescued: 3, retries: 1 })
      const sinkLines = lines.filter((l) => l.startsWith("sink g/out: "))
      expect(sinkLines).toEqual([
        expect.stringMatching(/^sink g\/out: \[202 Uvs\] NetworkError: link down; retry 1 after \d+ ms$/),
        "sink g/out: [203 Uvs] ResourceError: out of memory; rescuing 3 events"
      ])
    }).pipe(
      Effect.provide(registry),
      Effect.provide(Logger.replace(Logger.defaultLogger, capture)),
      Logger.withMinimumLogLevel(LogLevel.Debug)
    )
  })

  it.live("a failed ack is one line with the error's coded message, no stack trace", () => {
    const lab = makeLab()
    const spec = pipeline(scratch("wpc-log-lines-"), [src("s", { count: 4, batch: 2, cumulative: true, fail_ack_at: 1 })], [
      { name: "g", sinks: [snk("g", "ok")] }
    ])
    const lines: Array<string> = []
    const capture = Logger.make(({ message }) => {
      lines.push((Array.isArray(message) ? message : [message]).map(String).join(" "))
    })
    return Effect.gen(function*() {
      yield* Engine.runPipeline(spec, { batchWait: Duration.zero })
      expect(lab.ackFailures.get("s")).toEqual([1])
      expect(lines.filter((l) => l.startsWith("source s: "))).toEqual([
        "source s: ack failed (the events will be replayed): [503 Disconnect] ack of 1 lost"
      ])
    }).pipe(
      Effect.provide(labRegistry(lab)),
      Effect.provide(Logger.replace(Logger.defaultLogger, capture))
    )
  })
})
