/**
 * `Health`: what a running pipeline says about itself for `GET /ready` — whether each source runs and
 * how many breakers of each sink are open — and the `Readiness` read from it: ready when the run is not
 * stopping, every source runs and no sink breaker is open; otherwise the list of what is not ready.
 *
 * @since 0.1.0
 */

/** A source's health: `up` while a generation of it runs (false while it waits to be rebuilt, or once it failed for good). */
export interface SourceHealth {
  readonly name: string
  readonly up: boolean
}

/** A sink's health: its replicas, how many of their breakers are open (their last write failed), its queue capacity. */
export interface SinkHealth {
  readonly group: string
  readonly name: string
  readonly replicas: number
  readonly breakersOpen: number
  readonly queueCapacity: number
}

/** The health of a running pipeline. */
export interface Health {
  /** A Stop was asked for. */
  readonly stopping: boolean
  readonly sources: ReadonlyArray<SourceHealth>
  readonly sinks: ReadonlyArray<SinkHealth>
}

/** One thing that is not ready, and why. */
export interface NotReady {
  readonly component: "run" | "source" | "sink"
  readonly name: string
  readonly reason: string
}

/** Whether the process is ready to take traffic, and if not, what is not. */
export interface Readiness {
  readonly ready: boolean
  readonly notReady: ReadonlyArray<NotReady>
}

/** Before the pipeline is built: nothing runs yet. */
export const starting: Readiness = {
  ready: false,
  notReady: [{ component: "run", name: "pipeline", reason: "starting: the sources and sinks are being built" }]
}

/** Ready when the run is not stopping, every source is up and no sink breaker is open; else what is not. */
export const readiness = (health: Health): Readiness => {
  const notReady: Array<NotReady> = []
  if (health.stopping) notReady.push({ component: "run", name: "pipeline", reason: "stopping" })
  for (const s of health.sources) {
    if (!s.up) notReady.push({ component: "source", name: s.name, reason: "not running (failed, or waiting to be rebuilt)" })
  }
  for (const s of health.sinks) {
    if (s.breakersOpen > 0) {
      notReady.push({
        component: "sink",
        name: `${s.group}/${s.name}`,
        reason: `circuit breaker open on ${s.breakersOpen} of ${s.replicas} replica${s.replicas === 1 ? "" : "s"}`
      })
    }
  }
  return { ready: notReady.length === 0, notReady }
}
