import { afterAll, describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Fiber } from "effect"
import * as net from "node:net"
import * as Http from "../../src/connectors/http/index.js"
import { ConnectorRegistry } from "../../src/index.js"
import * as Engine from "../../src/runtime/engine.js"
import { makeLab, pipeline, recSink, removeScratch, scratch, snk } from "./fixtures.js"

const freePort = () =>
  Effect.async<number>((resume) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resume(Effect.succeed(port)))
    })
  })

afterAll(removeScratch)

describe("Engine with an acceptor source (http)", () => {
  it.live("writes every event the acceptor accepted, also those still queued when Stop arrives", () => {
    const lab = makeLab()
    const registry = ConnectorRegistry.fromConnectors(Http.layer, ConnectorRegistry.register({ kind: "rec", sink: recSink(lab) }))
    return Effect.gen(function*() {
      const port = yield* freePort()
      const spec = pipeline(scratch("wpc-acceptor-"), [
        { spec: { name: "web", kind: "http", connectorId: "http-src", params: { port, batch_events: 100 }, tags: [] }, enabled: true }
      ], [{ name: "g", sinks: [snk("g", "slow", { delay_ms: 100 })] }])
      const ready = yield* Deferred.make<Engine.Engine>()
      const run = yield* Effect.fork(
        Engine.runPipeline(spec, { batchWait: Duration.zero, queueEvents: 100, batchEvents: 100 }, (engine) => Deferred.succeed(ready, engine))
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
      // the sink takes 100 ms per 100 events and holds at most 100, the source pulls 100 at a time: most events
      // still wait in the acceptor's queue (a pull of several requests at once, larger than the queue, would not)
      expect((yield* engine.progress).eventsIn).toBeLessThan(500)
      yield* engine.stop
      const report = yield* Fiber.join(run)
      const written = lab.written.get("slow")!
      expect(accepted).toBe(500)
      expect(written).toHaveLength(500)
      expect(written[0]).toBe("req0-line0")
      expect(written[499]).toBe("req4-line99")
      expect(report.status).toBe("stopped")
      expect(report.eventsIn).toBe(500)
    }).pipe(Effect.provide(registry))
  })
})
