import { afterAll, describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Fiber } from "effect"
import * as Http from "../../src/connectors/http/index.js"
import { AsyncSink, ConnectorRegistry, SinkFactory } from "../../src/index.js"
import * as Engine from "../../src/runtime/engine.js"
import { freePort } from "../../src/testkit/ports.js"
import { pipeline, removeScratch, scratch, snk } from "./fixtures.js"

afterAll(removeScratch)

/** `gated` sink: every write waits until `open` is done, then records its lines in `written`. */
const gatedSink = (open: Deferred.Deferred<void>, written: Array<string>) =>
  SinkFactory.make({
    kind: "gated",
    build: (spec) =>
      Effect.sync(() => {
        const write = (lines: ReadonlyArray<string>) => Effect.zipRight(Deferred.await(open), Effect.sync(() => void written.push(...lines)))
        return SinkFactory.handle(AsyncSink.make({ identifier: spec.name, sinkStr: (s) => write([s]), sinkStrBatch: write }))
      })
  })

describe("Engine with an acceptor source (http)", () => {
  it.live("writes every event the acceptor accepted, also those still queued when Stop arrives", () =>
    Effect.gen(function*() {
      // the sink holds its first batch until Stop was asked for: with queues of 100 events, most of the
      // 500 accepted events are still in the acceptor's queue when Stop arrives, however busy the machine
      const open = yield* Deferred.make<void>()
      const written: Array<string> = []
      const registry = ConnectorRegistry.fromConnectors(Http.layer, ConnectorRegistry.register({ kind: "gated", sink: gatedSink(open, written) }))
      const port = yield* freePort
      const spec = pipeline(scratch("wpc-acceptor-"), [
        { spec: { name: "web", kind: "http", connectorId: "http-src", params: { port, batch_events: 100 }, tags: [] }, enabled: true }
      ], [{ name: "g", sinks: [snk("g", "held", {}, { kind: "gated" })] }])
      const ready = yield* Deferred.make<Engine.Engine>()
      const run = yield* Effect.fork(
        Engine.runPipeline(spec, { batchWait: Duration.zero, queueEvents: 100, batchEvents: 100 }, (engine) => Deferred.succeed(ready, engine)).pipe(
          Effect.provide(registry)
        )
      )
      const engine = yield* Deferred.await(ready)
      let accepted = 0
      for (let r = 0; r < 5; r++) {
        const body = Array.from({ length: 100 }, (_, i) => `req${r}-line${i}`).join("\n")
        const res = yield* Effect.promise(() =>
          fetch(`http://127.0.0.1:${port}/ingest`, { method: "POST", body }).then(async (x) => ({ status: x.status, json: (await x.json()) as { accepted: number } }))
        )
        expect(res.status).toBe(202)
        accepted += res.json.accepted
      }
      expect(accepted).toBe(500)
      // nothing was written yet, and the engine took at most what its queues hold: the rest waits in the acceptor
      const before = yield* engine.progress
      expect(before.written).toBe(0)
      expect(before.eventsIn).toBeLessThan(500)
      yield* engine.stop
      yield* Deferred.succeed(open, undefined)
      const report = yield* Fiber.join(run)
      expect(written).toHaveLength(500)
      expect(written[0]).toBe("req0-line0")
      expect(written[499]).toBe("req4-line99")
      expect(report.status).toBe("stopped")
      expect(report.eventsIn).toBe(500)
      expect(report.unacked).toBe(0)
    }))
})
