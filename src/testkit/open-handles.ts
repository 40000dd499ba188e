/**
 * Counting what a process holds open, to prove a connector released everything: Node's active
 * resources by type (`process.getActiveResourcesInfo()`: sockets, servers, timers, ...) plus, on
 * Linux, the open file descriptors (`/proc/self/fd`), which Node does not list.
 *
 * @since 0.1.0
 */
import * as fs from "node:fs"
import { Duration, Effect, Option } from "effect"
import * as Clock from "./clock.js"
import * as ConformanceFailure from "./conformance-failure.js"

/** How many resources of each type are open (`fd` counts file descriptors). */
export type HandleCounts = ReadonlyMap<string, number>

const fdDir = "/proc/self/fd"

const countFds = (): Option.Option<number> => {
  try {
    return Option.some(fs.readdirSync(fdDir).length - 1) // minus the descriptor readdir itself holds
  } catch {
    return Option.none()
  }
}

/** What is open right now. */
export const snapshot: Effect.Effect<HandleCounts> = Effect.sync(() => {
  const counts = new Map<string, number>()
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1)
  const fds = countFds()
  if (Option.isSome(fds)) counts.set("fd", fds.value)
  return counts
})

/** What `after` holds beyond `before`, by type (`TCPWrap +1, fd +2`); `None` when nothing. */
export const extra = (before: HandleCounts, after: HandleCounts): Option.Option<string> => {
  const parts: Array<string> = []
  for (const [type, n] of after) {
    const more = n - (before.get(type) ?? 0)
    if (more > 0) parts.push(`${type} +${more}`)
  }
  return parts.length === 0 ? Option.none() : Option.some(parts.sort().join(", "))
}

/**
 * Waits (polling every 10 ms, at most `settle`, default 1 s) until nothing is open beyond `before`;
 * `None` when it settled, otherwise what is still open.
 */
export const settledSince = (
  before: HandleCounts,
  settle: Duration.DurationInput = Duration.seconds(1)
): Effect.Effect<Option.Option<string>> =>
  Effect.gen(function*() {
    const deadline = Date.now() + Duration.toMillis(settle)
    while (true) {
      const left = extra(before, yield* snapshot)
      if (Option.isNone(left) || Date.now() >= deadline) return left
      yield* Clock.sleep(Duration.millis(10))
    }
  })

/** Fails with a `ConformanceFailure` of `check` naming what is still open beyond `before` once settled. */
export const expectNoneLeftSince = (check: string, before: HandleCounts): Effect.Effect<void, ConformanceFailure.ConformanceFailure> =>
  Effect.flatMap(settledSince(before), (left) =>
    Option.isNone(left) ? Effect.void : ConformanceFailure.make(
      check,
      `left open after its scope closed: ${left.value} (process.getActiveResourcesInfo() and /proc/self/fd, before vs after)`
    ))
