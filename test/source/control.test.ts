import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Queue, Scope } from "effect"
import { ControlEvent, ControlPlane, SeekPosition } from "../../src/index.js"

describe("ControlPlane", () => {
  it.scoped("broadcasts every event, in order, to every subscriber", () =>
    Effect.gen(function*() {
      const plane = yield* ControlPlane.make
      const a = yield* plane.subscribe
      const b = yield* plane.subscribe
      yield* plane.isolate(true)
      yield* plane.seek(SeekPosition.Offset({ offset: 42 }))
      yield* plane.isolate(false)
      yield* plane.stop
      for (const rx of [a, b]) {
        const got = Chunk.toArray(yield* Queue.takeAll(rx))
        expect(got).toEqual([
          ControlEvent.Isolate({ isolate: true }),
          ControlEvent.Seek({ position: SeekPosition.Offset({ offset: 42 }) }),
          ControlEvent.Isolate({ isolate: false }),
          ControlEvent.Stop()
        ])
      }
    }))

  it.scoped("a subscription sees only what is published after it was taken", () =>
    Effect.gen(function*() {
      const plane = yield* ControlPlane.make
      yield* plane.stop
      const late = yield* plane.subscribe
      yield* plane.isolate(true)
      expect(Chunk.toArray(yield* Queue.takeAll(late))).toEqual([ControlEvent.Isolate({ isolate: true })])
    }))

  it.effect("a subscription ends with its scope; the plane ends with its own", () =>
    Effect.gen(function*() {
      const rx = yield* Effect.scoped(Effect.flatMap(ControlPlane.make, (p) => p.subscribe))
      expect(yield* Queue.isShutdown(rx)).toBe(true)
    }))

  it.scoped("a listener has each event when publish returns, and ends with its scope", () =>
    Effect.gen(function*() {
      const heard: Array<string> = []
      const atReturn: Array<number> = []
      const plane = yield* ControlPlane.make
      yield* Effect.scoped(Effect.gen(function*() {
        yield* plane.listen((e) => heard.push(`short:${e._tag}`))
        yield* plane.isolate(true)
        atReturn.push(heard.length)
      }))
      yield* plane.listen((e) => heard.push(e._tag))
      yield* plane.seek(SeekPosition.Start())
      atReturn.push(heard.length)
      yield* plane.isolate(false)
      atReturn.push(heard.length)
      expect(atReturn).toEqual([1, 2, 3])
      // the short-lived listener heard only what was published within its scope
      expect(heard).toEqual(["short:Isolate", "Seek", "Isolate"])
    }))

  it.scoped("a listener that outlives the plane gets Stop when the plane shuts down", () =>
    Effect.gen(function*() {
      const heard: Array<string> = []
      const outer = yield* Effect.scope
      yield* Effect.scoped(Effect.gen(function*() {
        const plane = yield* ControlPlane.make
        yield* Scope.extend(plane.listen((e) => heard.push(e._tag)), outer)
        yield* plane.isolate(true)
      }))
      expect(heard).toEqual(["Isolate", "Stop"])
    }))

  it.effect("is a service with a layer", () =>
    Effect.gen(function*() {
      const rx = yield* ControlPlane.subscribe
      const plane = yield* ControlPlane.ControlPlane
      yield* plane.publish(ControlEvent.Stop())
      expect(Chunk.toArray(yield* Queue.takeAll(rx))).toEqual([ControlEvent.Stop()])
    }).pipe(Effect.scoped, Effect.provide(Layer.fresh(ControlPlane.layer))))

  it("matches events by tag", () => {
    const describe = ControlEvent.$match({
      Stop: () => "stop",
      Isolate: ({ isolate }) => (isolate ? "pause" : "resume"),
      Seek: ({ position }) => `seek ${position._tag}`
    })
    expect(describe(ControlEvent.Isolate({ isolate: true }))).toBe("pause")
    expect(describe(ControlEvent.Seek({ position: SeekPosition.Time({ time: new Date(0) }) }))).toBe("seek Time")
  })
})
