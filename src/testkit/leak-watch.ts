/**
 * `LeakWatch`: proves that a connector left nothing running once its Scope closed. It watches three
 * kinds of leftovers from the moment it starts: Node handles and file descriptors (`OpenHandles`),
 * timers created since then that are still pending (`setTimeout` / `setInterval`, unref'd ones too,
 * seen through `async_hooks`), and fibers forked by the code it `supervise`s that still run (tracked
 * by a `Supervisor`: a forked daemon, a poller in the global scope, a fiber run through a captured
 * `Runtime`).
 *
 * @since 0.1.0
 */
import { createHook } from "node:async_hooks"
import { Duration, Effect, Fiber, Option, type Scope, Supervisor } from "effect"
import * as Clock from "./clock.js"
import * as ConformanceFailure from "./conformance-failure.js"
import * as OpenHandles from "./open-handles.js"

/** A watch started in a Scope (which ends the timer tracking when it closes). */
export interface LeakWatch {
  /** Runs `self` with every fiber it forks (and they fork) tracked. */
  readonly supervise: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** What is left now beyond the start (fibers, timers, handles), or `None`. */
  readonly left: Effect.Effect<Option.Option<string>>
  /**
   * Waits (polling every 10 ms, at most `settle`, default 1 s) until nothing is left; otherwise fails
   * with a `ConformanceFailure` of `check` naming what is, after interrupting the leftover fibers and
   * clearing the leftover timers (so that a failing case does not keep them running).
   */
  readonly expectNoneLeft: (check: string, settle?: Duration.DurationInput) => Effect.Effect<void, ConformanceFailure.ConformanceFailure>
}

/** What `async_hooks` shows of a Node timer (its fields are Node's own, read defensively). */
interface TimerResource {
  readonly _onTimeout?: unknown
  readonly _repeat?: unknown
  readonly _idleTimeout?: unknown
  /** Set once the timer fired (without repeating) or was cleared; its `destroy` hook comes later. */
  readonly _destroyed?: unknown
}

/** `setInterval every 50 ms (callback flushTick)`. */
const describeTimer = (timer: TimerResource): string => {
  const repeat = typeof timer._repeat === "number" ? timer._repeat : undefined
  const delay = typeof timer._idleTimeout === "number" ? timer._idleTimeout : undefined
  const callback = typeof timer._onTimeout === "function" && timer._onTimeout.name !== "" ? ` (callback ${timer._onTimeout.name})` : ""
  if (repeat === 2 ** 31 - 1) return "setInterval every 2^31-1 ms (what keeps the process alive while a fiber waits in Effect.never)"
  if (repeat !== undefined) return `setInterval every ${repeat} ms${callback}`
  return `setTimeout of ${delay ?? "?"} ms${callback}`
}

/** `fiber #12 (in span "poll")`. */
const describeFiber = (fiber: Fiber.RuntimeFiber<unknown, unknown>): string => {
  const span = fiber.currentSpan
  return `fiber #${fiber.id().id}${span !== undefined && span._tag === "Span" ? ` (in span ${JSON.stringify(span.name)})` : ""}`
}

/** Tracks the timers created from now until the Scope closes; yields those still pending. */
const trackTimers: Effect.Effect<() => ReadonlyArray<TimerResource & object>, never, Scope.Scope> = Effect.map(
  Effect.acquireRelease(
    Effect.sync(() => {
      const pending = new Map<number, TimerResource & object>()
      const hook = createHook({
        init: (asyncId, type, _trigger, resource) => {
          if (type === "Timeout") pending.set(asyncId, resource)
        },
        destroy: (asyncId) => {
          pending.delete(asyncId)
        }
      })
      hook.enable()
      return { pending, hook }
    }),
    ({ hook }) => Effect.sync(() => void hook.disable())
  ),
  ({ pending }) => () => Array.from(pending.values()).filter((timer) => timer._destroyed !== true)
)

/** Starts watching now: handles are counted, timers and supervised fibers tracked from here on. */
export const start: Effect.Effect<LeakWatch, never, Scope.Scope> = Effect.gen(function*() {
  const before = yield* OpenHandles.snapshot
  const timers = yield* trackTimers
  const supervisor = yield* Supervisor.track
  const running = Effect.map(supervisor.value, (fibers) => fibers.filter((f) => f.unsafePoll() === null))

  const left = Effect.gen(function*() {
    const fibers = yield* running
    const pending = timers()
    const handles = OpenHandles.extra(before, yield* OpenHandles.snapshot)
    const parts: Array<string> = []
    if (fibers.length > 0) parts.push(`${fibers.length} fiber${fibers.length === 1 ? "" : "s"} still running: ${fibers.map(describeFiber).join(", ")}`)
    if (pending.length > 0) parts.push(`${pending.length} timer${pending.length === 1 ? "" : "s"} still pending: ${pending.map(describeTimer).join(", ")}`)
    if (Option.isSome(handles)) parts.push(`handles still open: ${handles.value}`)
    return parts.length === 0 ? Option.none<string>() : Option.some(parts.join("; "))
  })

  const expectNoneLeft = (check: string, settle: Duration.DurationInput = Duration.seconds(1)) =>
    Effect.gen(function*() {
      const deadline = Date.now() + Duration.toMillis(settle)
      let found = yield* left
      while (Option.isSome(found) && Date.now() < deadline) {
        yield* Clock.sleep(Duration.millis(10))
        found = yield* left
      }
      if (Option.isNone(found)) return
      yield* Effect.forEach(yield* running, Fiber.interruptFork, { discard: true })
      for (const timer of timers()) clearTimeout(timer as Parameters<typeof clearTimeout>[0])
      return yield* ConformanceFailure.make(
        check,
        `left running after its scope closed: ${found.value} (fibers forked under the check, timers created since it started, process.getActiveResourcesInfo() and /proc/self/fd before vs after)`
      )
    })

  return {
    supervise: <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.supervised(self, supervisor),
    left,
    expectNoneLeft
  }
})
