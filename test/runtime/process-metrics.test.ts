import { describe, expect, it } from "@effect/vitest"
import { Effect, Metric } from "effect"
import * as dgram from "node:dgram"
import * as ProcessMetrics from "../../src/runtime/process-metrics.js"
import * as Prometheus from "../../src/runtime/prometheus.js"

/** The value of the series `line` starts (name and labels) in a render of the snapshot, or undefined. */
const valueOf = (text: string, series: string): number | undefined => {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

const scrape = Effect.map(Metric.snapshot, (s) => Prometheus.render(s))

describe("ProcessMetrics", () => {
  it.live("registers every process metric at once; collect reads memory and resources; a resource type gone reads 0", () =>
    Effect.scoped(Effect.gen(function*() {
      const collect = yield* ProcessMetrics.make()
      const first = yield* scrape
      for (const kind of ["minor", "major", "incremental", "weakcb"]) {
        expect(valueOf(first, `wpc_process_gc_total{kind="${kind}"}`)).toBeGreaterThanOrEqual(0)
        expect(valueOf(first, `wpc_process_gc_seconds_total{kind="${kind}"}`)).toBeGreaterThanOrEqual(0)
      }
      for (const name of ["p50", "p99", "max"]) expect(valueOf(first, `wpc_process_event_loop_delay_${name}_seconds`)).toBeGreaterThanOrEqual(0)
      expect(valueOf(first, "wpc_process_heap_used_bytes")).toBeGreaterThan(0)
      expect(valueOf(first, "wpc_process_resident_memory_bytes")).toBeGreaterThan(0)

      // a UDP socket: a resource type this test process holds no other of
      const socket = dgram.createSocket("udp4")
      yield* Effect.async<void>((resume) => void socket.bind(0, "127.0.0.1", () => resume(Effect.void)))
      yield* collect
      expect(valueOf(yield* scrape, `wpc_process_active_resources{type="UDPWrap"}`)).toBe(1)
      yield* Effect.async<void>((resume) => void socket.close(() => resume(Effect.void)))
      // the handle leaves libuv's list in the close phase of a later loop turn
      for (let i = 0; i < 50 && process.getActiveResourcesInfo().includes("UDPWrap"); i++) yield* Effect.sleep("2 millis")
      yield* collect
      expect(valueOf(yield* scrape, `wpc_process_active_resources{type="UDPWrap"}`)).toBe(0)
    })))

  it.live("counts garbage collections by kind", () =>
    Effect.scoped(Effect.gen(function*() {
      yield* ProcessMetrics.make()
      const before = valueOf(yield* scrape, `wpc_process_gc_total{kind="minor"}`) ?? 0
      // a few hundred MB of short-lived objects: young-generation collections must run
      let keep = 0
      for (let round = 0; round < 20; round++) {
        const garbage = Array.from({ length: 200_000 }, (_, i) => ({ i }))
        keep += garbage.length
      }
      expect(keep).toBe(4_000_000)
      // the observer is told after the collection, on a later turn of the loop
      let after = before
      for (let i = 0; i < 100 && after === before; i++) {
        yield* Effect.sleep("5 millis")
        after = valueOf(yield* scrape, `wpc_process_gc_total{kind="minor"}`) ?? 0
      }
      expect(after).toBeGreaterThan(before)
      expect(valueOf(yield* scrape, `wpc_process_gc_seconds_total{kind="minor"}`)).toBeGreaterThan(0)
    })))

  it.live("the event-loop delay gauges describe the last window: a blocked loop shows in its max", () =>
    Effect.scoped(Effect.gen(function*() {
      // windows long enough that a busy machine's polls cannot miss the one holding the block
      yield* ProcessMetrics.make(500)
      // the monitor's first sample only marks the time: let it take a few
      yield* Effect.sleep("100 millis")
      // block the loop for 200 ms: the monitor's next sample comes at least that late
      const until = Date.now() + 200
      while (Date.now() < until) {
        // busy on purpose
      }
      let max = 0
      for (let i = 0; i < 300 && max < 0.15; i++) {
        yield* Effect.sleep("10 millis")
        max = valueOf(yield* scrape, "wpc_process_event_loop_delay_max_seconds") ?? 0
      }
      expect(max).toBeGreaterThanOrEqual(0.15)
    })))
})
