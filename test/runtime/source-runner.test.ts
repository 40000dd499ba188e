/**
 * The source runner on its own: generations rebuilt on the rebuild schedule (TestClock), a Stop during the
 * wait, a failure for good, and a source that ends, counted into the run state.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, ExecutionStrategy, Fiber, Scope, TestClock } from "effect"
import { ControlPlane, DataSource, SourceError, SourceEvent, SourceFactory } from "../../src/index.js"
import type { SourceBatch, SourceError as SourceErrorType } from "../../src/index.js"
import type * as AckPolicy from "../../src/runtime/ack-policy.js"
import * as Backoff from "../../src/runtime/backoff.js"
import * as RunState from "../../src/runtime/run-state.js"
import * as SourceRunner from "../../src/runtime/source-runner.js"

/**
 * A node whose every generation is one DataSource playing `receive`; `builds` counts the generations built.
 * The first generation is built at once, as the engine does.
 */
const setup = (receive: (generation: number) => Effect.Effect<SourceBatch, SourceErrorType>) =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const state = yield* RunState.make(["s"], [])
    let builds = 0
    const node: SourceRunner.SourceNode = {
      name: "s",
      plane: yield* ControlPlane.make,
      stats: state.sources[0]!,
      up: true,
      build: Effect.sync(() => {
        const generation = ++builds
        const source = DataSource.make({ identifier: "s", receive: receive(generation) })
        return SourceFactory.withSources(SourceFactory.svcIns, [SourceFactory.handle(source, SourceFactory.meta("s", "test"))])
      })
    }
    const firstScope = yield* Scope.fork(scope, ExecutionStrategy.sequential)
    const first: SourceRunner.Generation = { svc: yield* Scope.extend(node.build, firstScope), scope: firstScope }
    const acks: Array<AckPolicy.AckPolicy> = []
    const ctx: SourceRunner.RunnerContext = {
      state,
      routes: [],
      rebuild: Backoff.sourceRebuild({ sourceRestartDelay: Duration.seconds(1), retryMaxDelay: Duration.seconds(1) }),
      scope,
      acks
    }
    return { node, first, ctx, state, builds: () => builds, acks }
  })

describe("SourceRunner", () => {
  it.scoped("rebuilds a generation that failed with a retryable error after the schedule's wait; a Stop during the wait ends it", () =>
    Effect.gen(function*() {
      const { builds, ctx, first, node, state } = yield* setup(() => Effect.fail(SourceError.disconnect("upstream went away")))
      const fiber = yield* Effect.fork(SourceRunner.run(node, first, ctx))
      yield* TestClock.adjust(Duration.millis(499)) // the wait is jittered in [500, 1000] ms
      expect(builds()).toBe(1)
      expect(node.stats.restarts).toBe(1)
      expect(node.up).toBe(false)
      yield* TestClock.adjust(Duration.millis(501))
      expect(builds()).toBe(2)
      expect(node.stats.restarts).toBe(2)
      // a Stop while it waits again: the runner ends at once, without building another generation
      yield* RunState.requestStop(state)
      yield* Fiber.join(fiber)
      expect(builds()).toBe(2)
      expect(state.errors).toEqual([])
    }))

  it.scoped("is up while a generation runs: down once it failed, up again once rebuilt (GET /ready reads it)", () =>
    Effect.gen(function*() {
      const { builds, ctx, first, node, state } = yield* setup((generation) =>
        generation === 1 ? Effect.fail(SourceError.disconnect("upstream went away")) : Effect.never
      )
      expect(node.up).toBe(true)
      const fiber = yield* Effect.fork(SourceRunner.run(node, first, ctx))
      yield* TestClock.adjust(Duration.millis(1))
      expect(node.up).toBe(false)
      yield* TestClock.adjust(Duration.millis(1000))
      expect(builds()).toBe(2)
      expect(node.up).toBe(true)
      yield* RunState.requestStop(state)
      yield* Fiber.interrupt(fiber)
    }))

  it.scoped("reports a failure that is not retryable and builds nothing more", () =>
    Effect.gen(function*() {
      const { builds, ctx, first, node, state } = yield* setup(() => Effect.fail(SourceError.supplierError("bad record")))
      yield* SourceRunner.run(node, first, ctx)
      expect(builds()).toBe(1)
      expect(node.stats.error).toBe("[500 SupplierError] bad record")
      expect(node.up).toBe(false)
      expect(state.errors).toEqual(["source s: [500 SupplierError] bad record"])
    }))

  it.scoped("pulls a generation to its end, counting its events and bytes (UTF-8) and completing what no sink takes", () =>
    Effect.gen(function*() {
      let sent = false
      const { acks, ctx, first, node, state } = yield* setup(() =>
        Effect.suspend(() => {
          if (sent) return Effect.fail(SourceError.eof())
          sent = true
          return Effect.succeed([SourceEvent.make({ eventId: 0, srcKey: "s", payload: "héllo" }), SourceEvent.make({ eventId: 1, srcKey: "s", payload: "€" })])
        })
      )
      yield* SourceRunner.run(node, first, ctx)
      expect(node.stats).toMatchObject({ events: 2, bytes: 6 + 3, restarts: 0 })
      expect(state.unrouted).toBe(2)
      expect(state.completed).toBe(2)
      expect(acks.length).toBe(1)
      expect(node.stats.error).toBeUndefined()
    }))
})
