import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Exit, Fiber, Option, Schema, Scope } from "effect"
import * as BufferParams from "../../../src/connectors/net/buffer-params.js"
import * as Builtins from "../../../src/connectors/builtins.js"
import * as Tcp from "../../../src/connectors/tcp/index.js"
import { Engine, type Pipeline, Tags } from "../../../src/index.js"
import { eventually, freePort, receiveN, send, startAcceptor } from "../tcp/harness.js"
import { numbered, tempDir } from "./fixtures.js"

const params = (port: number) => ({ port, buffer: "disk" as const })

/** tcp source `in` (buffer = "disk") on `port` -> file sink `out/out.log` under `workRoot`. */
const spec = (workRoot: string, port: number): Pipeline.PipelineSpec => ({
  workRoot,
  sources: [{ spec: { name: "in", kind: "tcp", connectorId: "tcp-src", params: params(port), tags: ["app:web"] }, enabled: true }],
  groups: [{
    name: "g",
    filter: Option.none(),
    sinks: [{
      spec: { group: "g", name: "out", kind: "file", connectorId: "file-sink", params: { base: path.join(workRoot, "out"), file: "out.log" }, filter: Option.none() },
      replicaCnt: 1,
      rateLimitRps: 0
    }]
  }]
})

const outputLines = (workRoot: string): Array<string> => {
  const file = path.join(workRoot, "out", "out.log")
  if (!fs.existsSync(file)) return []
  const text = fs.readFileSync(file, "utf8")
  return text === "" ? [] : text.slice(0, text.lastIndexOf("\n")).split("\n")
}

/** Runs the pipeline until `until` holds, sending `lines` once it serves; stops it and returns its report. */
const runUntil = (workRoot: string, port: number, lines: ReadonlyArray<string>, until: () => boolean) =>
  Effect.gen(function*() {
    const ready = yield* Deferred.make<Engine.Engine>()
    const run = yield* Effect.fork(
      Engine.runPipeline(spec(workRoot, port), { batchWait: Duration.zero }, (engine) => Deferred.succeed(ready, engine)).pipe(
        Effect.provide(Builtins.layer)
      )
    )
    const engine = yield* Deferred.await(ready)
    if (lines.length > 0) yield* send(port, lines.map((l) => `${l}\n`).join(""))
    yield* eventually(until, "the output")
    yield* engine.stop
    return yield* Fiber.join(run)
  })

describe("tcp (buffer = \"disk\") -> engine -> file", () => {
  it.scopedLive("after a restart the engine replays what was received and not acked, first and in order, and acks it", () =>
    Effect.gen(function*() {
      const workRoot = yield* tempDir
      const port = yield* freePort
      const dir = BufferParams.location(workRoot, "in")

      // a first life of the source: 1000 lines received, only the first 300 acked when it ends
      const first = yield* Scope.make()
      const built = yield* Scope.extend(
        Tcp.TcpSource.make("in", Schema.decodeUnknownSync(Tcp.SourceParams)(params(port)), Tags.make({ app: "web" }), workRoot),
        first
      )
      const { plane } = yield* Scope.extend(startAcceptor(built.acceptor), first)
      const a = numbered("a", 1000)
      yield* send(port, a.map((l) => `${l}\n`).join(""))
      const received = yield* receiveN(built.source, 1000)
      expect(received.map((e) => e.eventId)).toEqual(a.map((_, i) => i))
      yield* built.source.ackUpTo!(received[299]!.ackToken)
      yield* plane.stop
      yield* Scope.close(first, Exit.void)
      expect(fs.existsSync(path.join(dir, "acked.json"))).toBe(true)

      // the engine on the same work root: the 700 un-acked lines come out first, then the new ones
      const b = numbered("b", 500)
      const report = yield* runUntil(workRoot, port, b, () => outputLines(workRoot).length >= 1200)
      expect(report.status).toBe("stopped")
      expect(outputLines(workRoot)).toEqual([...a.slice(300), ...b])
      expect(report.eventsIn).toBe(1200)
      expect(report.acked).toBe(1200)
      expect(report.unacked).toBe(0)
      expect(JSON.parse(fs.readFileSync(path.join(dir, "acked.json"), "utf8"))).toEqual({ acked: 1500 })

      // and once acked nothing comes again
      const again = yield* runUntil(workRoot, port, ["c-0"], () => outputLines(workRoot).length >= 1201)
      expect(again.eventsIn).toBe(1)
      expect(outputLines(workRoot)).toEqual([...a.slice(300), ...b, "c-0"])
    }), 60_000)
})

