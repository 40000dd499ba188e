import { afterAll, describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import * as Runner from "../../src/runtime/runner.js"
import { labRegistry, makeLab, pipeline, removeScratch, scratch, snk, src } from "./fixtures.js"

afterAll(removeScratch)

describe("Runner", () => {
  it.live("prints progress lines while it runs and serves metrics", () => {
    const lab = makeLab()
    const spec = pipeline(scratch("wpc-runner-"), [src("ticks", { count: 40, batch: 2, delay_ms: 5 })], [
      { name: "g", sinks: [snk("g", "out")] }
    ])
    const lines: Array<string> = []
    return Effect.gen(function*() {
      const report = yield* Runner.run(spec, {
        engine: { batchWait: Duration.zero },
        progressEvery: Duration.millis(20),
        metricsPort: 0,
        handleSignals: false,
        print: (line) => Effect.sync(() => void lines.push(line))
      })
      expect(report.status).toBe("completed")
      expect(lab.written.get("out")).toHaveLength(40)
      expect(lines[0]).toMatch(/^\[wpc\] metrics on http:\/\/127\.0\.0\.1:\d+\/metrics$/)
      const progress = lines.filter((l) => l.includes(" in="))
      expect(progress.length).toBeGreaterThanOrEqual(2)
      expect(progress[0]).toMatch(/^\[wpc\] \d+\.\ds in=\d+ \(\d[\d,]* ev\/s\) written=\d+ rescued=0 errors=0 acked=\d+ queued=\d+$/)
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it.live("runs onStarted once, after the pipeline is built and before any event is written", () => {
    const lab = makeLab()
    const spec = pipeline(scratch("wpc-runner-"), [src("ticks", { count: 20, batch: 2, delay_ms: 1 })], [
      { name: "g", sinks: [snk("g", "out")] }
    ])
    const writtenWhenStarted: Array<number> = []
    return Effect.gen(function*() {
      const report = yield* Runner.run(spec, {
        engine: { batchWait: Duration.zero },
        progressEvery: Duration.zero,
        handleSignals: false,
        onStarted: Effect.sync(() => void writtenWhenStarted.push(lab.written.get("out")?.length ?? 0))
      })
      expect(report.status).toBe("completed")
      expect(lab.written.get("out")).toHaveLength(20)
      expect(writtenWhenStarted).toEqual([0])
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it.live("ends each progress line with the suffix it is given (a project's sink expectations), from the per-sink counts", () => {
    const lab = makeLab()
    const spec = pipeline(scratch("wpc-runner-"), [src("ticks", { count: 20, batch: 2, delay_ms: 5 })], [
      { name: "g", sinks: [snk("g", "out")] }
    ])
    const lines: Array<string> = []
    return Effect.gen(function*() {
      yield* Runner.run(spec, {
        engine: { batchWait: Duration.zero },
        progressEvery: Duration.millis(20),
        handleSignals: false,
        progressSuffix: (p) => ` sinks: ${p.sinks.map((s) => `${s.group}/${s.name}=${s.events}`).join(",")}`,
        print: (line) => Effect.sync(() => void lines.push(line))
      })
      const progress = lines.filter((l) => l.includes(" in="))
      expect(progress.length).toBeGreaterThanOrEqual(1)
      expect(progress.every((l) => /queued=\d+ sinks: g\/out=\d+$/.test(l))).toBe(true)
    }).pipe(Effect.provide(labRegistry(lab)))
  })

  it("formats a progress line with the rate since the previous one", () => {
    const p0 = { millis: 1000, eventsIn: 1000, bytesIn: 0, written: 900, rescued: 0, errors: 0, acked: 900, queued: 100, sinks: [] }
    const p1 = { ...p0, millis: 3000, eventsIn: 21000, written: 21000, acked: 21000, queued: 0 }
    expect(Runner.progressLine(p1, p0)).toBe("[wpc] 3.0s in=21,000 (10,000 ev/s) written=21,000 rescued=0 errors=0 acked=21,000 queued=0")
  })
})
