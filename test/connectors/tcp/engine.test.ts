import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Fiber, Option } from "effect"
import { ConnectorRegistry, Engine, type Pipeline } from "../../../src/index.js"
import * as Tcp from "../../../src/connectors/tcp/index.js"
import { collector, eventually, freePort, leakChecked, send } from "./harness.js"

/** tcp source on `inPort` -> tcp sink to `outPort`. */
const spec = (workRoot: string, inPort: number, outPort: number): Pipeline.PipelineSpec => ({
  workRoot,
  sources: [{ spec: { name: "in", kind: "tcp", connectorId: "tcp-src", params: { port: inPort }, tags: [] }, enabled: true }],
  groups: [{
    name: "g",
    filter: Option.none(),
    sinks: [{
      spec: { group: "g", name: "out", kind: "tcp", connectorId: "tcp-sink", params: { port: outPort }, filter: Option.none() },
      replicaCnt: 1,
      rateLimitRps: 0
    }]
  }]
})

const lines = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`)

describe("tcp source -> engine -> tcp sink", () => {
  it.live("relays every line in order, rides out a restart of the downstream server, and stops cleanly", () =>
    leakChecked(Effect.gen(function*() {
      const workRoot = fs.mkdtempSync(path.join(os.tmpdir(), "wpc-tcp-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(workRoot, { recursive: true, force: true })))
      const inPort = yield* freePort
      const first = yield* collector()
      const outPort = first.port
      const ready = yield* Deferred.make<Engine.Engine>()
      const run = yield* Effect.fork(
        Engine.runPipeline(
          spec(workRoot, inPort, outPort),
          { batchWait: Duration.zero, retryBaseDelay: Duration.millis(20), retryMaxDelay: Duration.millis(100), maxRetries: 1000 },
          (engine) => Deferred.succeed(ready, engine)
        ).pipe(Effect.provide(ConnectorRegistry.fromConnectors(Tcp.layer)))
      )
      const engine = yield* Deferred.await(ready)
      const a = lines("a", 5000)
      yield* send(inPort, `${a.join("\n")}\n`)
      yield* eventually(() => first.received().toString().split("\n").length === 5001, "the first lines downstream")
      expect(first.received().toString()).toBe(`${a.join("\n")}\n`)

      yield* first.kill
      yield* Effect.sleep(Duration.millis(100)) // the sink sees the reset
      const b = lines("b", 5000)
      yield* send(inPort, `${b.join("\n")}\n`)
      yield* Effect.sleep(Duration.millis(200)) // writes fail, the engine retries with reconnect
      const second = yield* collector(outPort)
      yield* eventually(() => second.received().toString().endsWith("b-4999\n"), "the lines after the restart")
      const got = second.received().toString().trimEnd().split("\n")
      expect(got).toEqual(b)

      yield* engine.stop
      const report = yield* Fiber.join(run)
      expect(report.status).toBe("stopped")
      expect(report.eventsIn).toBe(10000)
    })))
})
