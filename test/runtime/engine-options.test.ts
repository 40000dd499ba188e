/**
 * Engine options from code (checked like a project's `[engine]` table: unknown keys and bad values are
 * errors naming the key) and the backoff Schedules built from them.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Either, Schedule } from "effect"
import * as Backoff from "../../src/runtime/backoff.js"
import * as Engine from "../../src/runtime/engine.js"
import * as EngineOptions from "../../src/runtime/engine-options.js"
import { labRegistry, makeLab, pipeline, snk, src } from "./fixtures.js"

/** The first `n` delays of `schedule`, in ms. */
const delays = (schedule: Schedule.Schedule<Duration.Duration>, n: number) =>
  Effect.map(Schedule.run(schedule, 0, Array.from({ length: n }, (_, i) => i)), (out) => Chunk.toArray(out).map(Duration.toMillis))

describe("EngineOptions.resolve", () => {
  it("lays options over the defaults, the deadlines key by key", () => {
    const resolved = Either.getOrThrow(EngineOptions.resolve({ batchEvents: 10, deadlines: { drain: "5 seconds" } }))
    expect(resolved.batchEvents).toBe(10)
    expect(resolved.queueEvents).toBe(EngineOptions.defaults.queueEvents)
    expect(resolved.deadlines).toEqual({ ...EngineOptions.defaults.deadlines, drain: "5 seconds" })
    const merged = EngineOptions.merge({ batchEvents: 1, deadlines: { acks: 1 } }, { batchEvents: 2, deadlines: { drain: 3 } })
    expect(merged).toEqual({ batchEvents: 2, deadlines: { acks: 1, drain: 3 } })
  })

  it("refuses an unknown key, naming it and the nearest known one", () => {
    const error = Either.getOrThrowWith(Either.flip(EngineOptions.resolve({ batchEvnts: 10 } as EngineOptions.EngineOptionsInput)), () => new Error("resolved"))
    expect(error._tag).toBe("ConfigError")
    expect(error.code).toBe(300)
    expect(error.path).toBe("batchEvnts")
    expect(error.detail).toBe("unknown engine option \"batchEvnts\"")
    expect(error.suggestion).toBe("did you mean \"batchEvents\"?")
    const phase = Either.getOrThrowWith(Either.flip(EngineOptions.resolve({ deadlines: { drian: 1 } } as EngineOptions.EngineOptionsInput)), () => new Error("resolved"))
    expect(phase.path).toBe("deadlines.drian")
    expect(phase.suggestion).toBe("did you mean \"drain\"?")
  })

  it("refuses bad values, each with what was expected, and names every bad key", () => {
    const cases: ReadonlyArray<readonly [EngineOptions.EngineOptionsInput, string, string]> = [
      [{ batchEvents: 0 }, "batchEvents", "an integer >= 1"],
      [{ queueBytes: 1.5 }, "queueBytes", "an integer >= 1"],
      [{ maxRetries: -1 }, "maxRetries", "an integer >= 0"],
      [{ retryBaseDelay: "soon" as Duration.DurationInput }, "retryBaseDelay", EngineOptions.expectedOf("delay")],
      [{ retryMaxDelay: Duration.infinity }, "retryMaxDelay", EngineOptions.expectedOf("delay")],
      [{ rescueDir: "" }, "rescueDir", "a non-empty path"],
      [{ deadlines: { drain: -5 } }, "deadlines.drain", EngineOptions.expectedOf("deadline")]
    ]
    for (const [input, path, expected] of cases) {
      const error = Either.getOrThrowWith(Either.flip(EngineOptions.resolve(input)), () => new Error(`${path} resolved`))
      expect([error.path, error.expected]).toEqual([path, expected])
    }
    const both = Either.getOrThrowWith(Either.flip(EngineOptions.resolve({ batchEvents: 0, maxRetries: -1 })), () => new Error("resolved"))
    expect(both.detail).toBe("invalid value 0 (also wrong: maxRetries)")
    // no deadline at all is allowed
    expect(Either.isRight(EngineOptions.resolve({ deadlines: { drain: Duration.infinity } }))).toBe(true)
  })

  it.effect("Engine.make refuses them too, under the path engine.<key>", () => {
    const lab = makeLab()
    const spec = pipeline("/tmp", [src("s", { count: 1 })], [{ name: "g", sinks: [snk("g", "out")] }])
    return Effect.gen(function*() {
      const error = yield* Effect.flip(Engine.runPipeline(spec, { batchWiat: 5 } as EngineOptions.EngineOptionsInput))
      expect(error._tag).toBe("ConfigError")
      expect(error._tag === "ConfigError" && [error.path, error.suggestion]).toEqual(["engine.batchWiat", "did you mean \"batchWait\"?"])
      // the spec's own options (a project's [engine] table) are checked the same way
      const fromSpec = yield* Effect.flip(Engine.runPipeline({ ...spec, engine: { queueEvents: 0 } }))
      expect(fromSpec._tag === "ConfigError" && fromSpec.path).toBe("engine.queueEvents")
      expect(lab.replicaIdx.size).toBe(0) // nothing was built
    }).pipe(Effect.provide(labRegistry(lab)))
  })
})

describe("Backoff", () => {
  it.effect("sinkCooldown: the base delay below the threshold, then doubling up to the cap, each in [half, full]", () =>
    Effect.gen(function*() {
      const got = yield* delays(Backoff.sinkCooldown({ breakerThreshold: 3, retryBaseDelay: 100, retryMaxDelay: 1000 }), 9)
      const ceilings = [100, 100, 100, 200, 400, 800, 1000, 1000, 1000]
      got.forEach((d, i) => {
        expect(d).toBeGreaterThanOrEqual(ceilings[i]! / 2)
        expect(d).toBeLessThanOrEqual(ceilings[i]!)
      })
    }))

  it.effect("sourceRebuild: the restart delay doubling up to the cap, jittered so that processes spread out", () =>
    Effect.gen(function*() {
      const runs = yield* Effect.forEach([1, 2, 3, 4, 5], () => delays(Backoff.sourceRebuild({ sourceRestartDelay: 500, retryMaxDelay: 4000 }), 6))
      const ceilings = [500, 1000, 2000, 4000, 4000, 4000]
      for (const run of runs) {
        run.forEach((d, i) => {
          expect(d).toBeGreaterThanOrEqual(ceilings[i]! / 2)
          expect(d).toBeLessThanOrEqual(ceilings[i]!)
        })
      }
      // five processes starting together do not wait the same (jitter)
      expect(new Set(runs.map((r) => r.join(","))).size).toBeGreaterThan(1)
    }))

  it.effect("writeRetries: maxRetries recurrences", () =>
    Effect.gen(function*() {
      const out = yield* Schedule.run(Backoff.writeRetries({ maxRetries: 3 }), 0, [1, 2, 3, 4, 5, 6])
      expect(Chunk.toArray(out)).toEqual([0, 1, 2, 3])
    }))
})
