/**
 * A connector written the way every built-in one is (docs/guide.md, section 5): a params Schema per
 * side, factories made by `SourceFactory.withParams` / `SinkFactory.withParams`, and one Layer that
 * registers them. The `counter` source yields `count` events `<prefix>-<n>`, then ends; the `counter`
 * sink keeps each line it is given in a `Ref`, upper-cased when `upper` is set.
 */
import { Effect, Ref, Schema } from "effect"
import { AsyncSink, ConnectorDef, ConnectorRegistry, DataSource, SinkFactory, SourceError, SourceEvent, SourceFactory } from "../src/index.js"

/** The connector kind. */
export const kind = "counter"

/** Source params: how many events, and the text before each event's number. */
export const SourceParams = Schema.Struct({
  count: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 1_000_000)), { default: () => 10 }),
  prefix: Schema.optionalWith(Schema.NonEmptyString, { default: () => "event" })
})

/** Sink params: whether to upper-case what is written. */
export const SinkParams = Schema.Struct({
  upper: Schema.optionalWith(Schema.Boolean, { default: () => false })
})

/** The source factory: `open` gets the params decoded (defaults filled in) and the spec's tags. */
export const source: SourceFactory.SourceFactory = SourceFactory.withParams({
  kind,
  params: SourceParams,
  open: (name, params, tags) =>
    Effect.sync(() => {
      let next = 0
      return DataSource.make({
        identifier: `counter:${name}`,
        promptReceive: true,
        receive: Effect.suspend(() => {
          if (next === params.count) return Effect.fail(SourceError.eof())
          const n = next++
          return Effect.succeed([SourceEvent.make({ eventId: n, srcKey: name, payload: `${params.prefix}-${n}`, tags })])
        })
      })
    })
})

/** The sink factory, keeping what its sinks write in `written`. */
export const sink = (written: Ref.Ref<ReadonlyArray<string>>): SinkFactory.SinkFactory =>
  SinkFactory.withParams({
    kind,
    params: SinkParams,
    build: (params) =>
      Effect.succeed(SinkFactory.handle(AsyncSink.make({
        identifier: "counter",
        sinkStr: (line) => Ref.update(written, (all) => [...all, params.upper ? line.toUpperCase() : line])
      })))
  })

/** Registers the `counter` kind: both factories and the definitions a project names (`counter-src`, `counter-sink`). */
export const layer = (written: Ref.Ref<ReadonlyArray<string>>) =>
  ConnectorRegistry.register({
    kind,
    source,
    sink: sink(written),
    defs: [
      ConnectorDef.make({ id: "counter-src", kind, allowOverride: ["count", "prefix"] }),
      ConnectorDef.make({ id: "counter-sink", kind, scope: "sink", allowOverride: ["upper"] })
    ]
  })
