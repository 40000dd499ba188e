/**
 * Whether the server restarted: read from its `/metrics` (`vm_app_start_timestamp`, in seconds, and
 * `vm_app_uptime_seconds`), which VictoriaMetrics, vmagent and vminsert all expose. After a lost
 * connection the sink asks, and pushes its replay window again only when the answer is not a plain
 * "no" (a keep-alive connection closed for being idle is not a crash). The start is in whole seconds:
 * a start seen while the server was up less than `minUptimeS` cannot be told from a restart within
 * the same second, so it counts as unknown.
 *
 * @since 0.2.0
 */
import { Effect } from "effect"
import type { SinkError } from "../../errors/sink.js"
import type { Answer } from "./push.js"

/** How much of `/metrics` is read (VictoriaMetrics 1.79 writes about 40 KB). */
const metricsBytes = 1024 * 1024

/** Below this uptime (s) a start time cannot tell a restart in the same second apart. */
export const minUptimeS = 2

/** What `/metrics` said: the start (epoch seconds) and the uptime (seconds). */
export interface Seen {
  readonly start: number
  readonly uptime: number
}

/** The start and uptime in a `/metrics` text, or `undefined` when it has not both. */
export const parse = (text: string): Seen | undefined => {
  const start = /^vm_app_start_timestamp(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1]
  const uptime = /^vm_app_uptime_seconds(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1]
  return start === undefined || uptime === undefined ? undefined : { start: Number(start), uptime: Number(uptime) }
}

/**
 * `false` only when `before` was a clear reading (uptime at least `minUptimeS`) and `now` shows the same
 * start: the server has not restarted in between. Anything else (no reading, a new start, a start seen
 * too early) is `true`: the sink then pushes again what it kept.
 */
export const restartedSince = (before: Seen | undefined, now: Seen | undefined): boolean =>
  before === undefined || now === undefined || before.uptime < minUptimeS || before.start !== now.start

/** Tells, at each call, whether the server restarted since the previous call (the first call: since `initial`). */
export interface RestartCheck {
  readonly restarted: Effect.Effect<boolean, SinkError>
}

/** A check reading `/metrics` through `get` (an answer other than 200 reads as unknown). */
export const make = (get: (path: string, keep?: number) => Effect.Effect<Answer, SinkError>, initial: Seen | undefined): RestartCheck => {
  let last = initial
  return {
    restarted: Effect.map(get("/metrics", metricsBytes), (answer) => {
      const now = answer.status === 200 ? parse(answer.body) : undefined
      const restarted = restartedSince(last, now)
      last = now
      return restarted
    })
  }
}

/** The first reading, at build: `undefined` when `/metrics` does not answer with both values. */
export const read = (get: (path: string, keep?: number) => Effect.Effect<Answer, SinkError>): Effect.Effect<Seen | undefined, SinkError> =>
  Effect.map(get("/metrics", metricsBytes), (answer) => (answer.status === 200 ? parse(answer.body) : undefined))
