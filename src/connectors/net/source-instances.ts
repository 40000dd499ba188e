/**
 * `SourceInstances`: the workers of a listener source over TCP (`instances`, WarpParse's param): one
 * intake and one `DataSource` per instance, all fed by the source's one listener, which gives each
 * connection to one instance for good (so a connection's events keep their order); the engine pulls
 * each `DataSource` in its own fiber. One instance is the source as it always was. A disk intake
 * (`buffer = "disk"`) is one write-ahead log per source, replayed by name after a restart: it is not
 * split, so it takes one instance only.
 *
 * @since 0.1.0
 */
import { Effect, Schema, type Scope } from "effect"
import { ConfigError } from "../../errors/config.js"
import type { SourceError } from "../../errors/source.js"
import type * as DataSource from "../../source/data-source.js"
import { SourceEvent } from "../../source/event.js"
import * as Intake from "./intake.js"
import type { Listener } from "./listener.js"
import * as SourceIntake from "./source-intake.js"

/** The most instances a source may have. */
export const max = 64

/** The `instances` param: an integer from 1 to `max`. */
export const Count = Schema.Int.pipe(
  Schema.filter((n) => (n >= 1 && n <= max) || `instances = ${n}: a source has from 1 to ${max} instances (workers)`)
).annotations({ description: `an integer from 1 to ${max} (workers of the source)` })

/** The params a source's instances are opened from. */
export interface Params extends SourceIntake.QueueParams {
  readonly instances: number
}

/**
 * Fails with a `ConfigError` naming `params.instances` when `instances` > 1 meets `buffer = "disk"` (one
 * log per source, not split between instances) or, with `protocol = "udp"` given, a UDP socket (one
 * socket, no connections to spread).
 */
export const check = (what: string, params: Params & { readonly protocol?: "tcp" | "udp" }): Effect.Effect<void, ConfigError> => {
  if (params.instances === 1) return Effect.void
  if (params.buffer === "disk") {
    return Effect.fail(
      new ConfigError({
        detail: `${what}: instances = ${params.instances} with buffer = "disk": the disk intake is one write-ahead log per source, replayed by name after a restart, and is not split between instances`,
        path: "params.instances",
        expected: `instances = 1 with params.buffer = "disk", or params.buffer = "memory"`
      })
    )
  }
  if (params.protocol === "udp") {
    return Effect.fail(
      new ConfigError({
        detail: `${what}: instances = ${params.instances} with protocol = "udp": one UDP socket has no connections to spread over instances`,
        path: "params.instances",
        expected: `instances = 1 with params.protocol = "udp", or params.protocol = "tcp"`
      })
    )
  }
  return Effect.void
}

/**
 * The intakes of `params.instances` instances of the source `name` (called `what` in messages), in the
 * current Scope: one is `SourceIntake.open`'s (memory or disk); several are memory intakes, each bounded
 * by `queue_events` and `queue_bytes`, whose events are numbered by one counter (so their `eventId`s
 * stay distinct within the source). Call `check` first: several instances never get a disk intake.
 */
export const open = (
  what: string,
  name: string,
  params: Params,
  workRoot: string | undefined
): Effect.Effect<ReadonlyArray<SourceIntake.SourceIntake>, ConfigError | SourceError, Scope.Scope> => {
  if (params.instances === 1) return Effect.map(SourceIntake.open(what, name, params, workRoot), (one) => [one])
  let eventId = 0
  const event: SourceIntake.SourceIntake["event"] = (payload, tags, upsIp) =>
    new SourceEvent({ eventId: eventId++, srcKey: name, payload, tags, upsIp })
  return Effect.succeed(Array.from({ length: params.instances }, (_, i) => ({
    intake: Intake.make({ maxEvents: params.queue_events, maxBytes: params.queue_bytes, eof: `${what} (instance ${i}) stopped` }),
    disk: undefined,
    event
  })))
}

/** The identifier of instance `i` of `n` of the source identified as `base`: `base` itself when it has one, else `base#i`. */
export const identifier = (base: string, i: number, n: number): string => (n === 1 ? base : `${base}#${i}`)

/**
 * The `DataSource`s reading `intakes` (see `SourceIntake.dataSource`), identified as `base` (one) or
 * `base#0`, `base#1`, ... (several); closing any of them shuts the listener down.
 */
export const dataSources = (
  base: string,
  intakes: ReadonlyArray<SourceIntake.SourceIntake>,
  batchEvents: number,
  listener: Listener
): ReadonlyArray<DataSource.DataSource> =>
  intakes.map((opened, i) => SourceIntake.dataSource(identifier(base, i, intakes.length), opened, batchEvents, listener))
