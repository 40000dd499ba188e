/**
 * Parameters, definitions and URL adapter of the `memory` connector.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import * as ConnectorKindAdapter from "../../config/adapter.js"
import * as ConnectorDef from "../../config/def.js"
import * as ParamSchema from "../../config/param-schema.js"
import { NonNegative, Positive } from "../../config/param-types.js"

/** The connector kind. */
export const kind = "memory"

/** Source params: fixed `events`, or `count` generated payloads of `payload_bytes`; `batch_size` per receive. */
export const SourceParams = Schema.Struct({
  events: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
  count: Schema.optionalWith(NonNegative, { default: () => 0 }),
  payload_bytes: Schema.optionalWith(NonNegative, { default: () => 200 }),
  batch_size: Schema.optionalWith(Positive, { default: () => 1024 }),
  eof: Schema.optionalWith(Schema.Boolean, { default: () => true })
})

/** Decoded source params. */
export type SourceParams = typeof SourceParams.Type

/** Sink params: the name of the `MemoryStore` buffer to write (default: the sink's name). */
export const SinkParams = Schema.Struct({
  buffer: Schema.optional(Schema.String.pipe(Schema.minLength(1)))
})

/** Decoded sink params. */
export type SinkParams = typeof SinkParams.Type

/** The source definition `memory-src`: the defaults of `SourceParams`, every key overridable. */
export const sourceDefs = ConnectorDef.builtinSourceDefs({ id: "memory-src", kind, params: SourceParams })

/** The sink definition `memory-sink`: no defaults, `buffer` overridable. */
export const sinkDefs = ConnectorDef.builtinSinkDefs({ id: "memory-sink", kind, params: SinkParams })

/** `memory://<buffer>` names a sink buffer. */
export const adapter = ConnectorKindAdapter.make({
  kind,
  defaults: ParamSchema.defaults(SourceParams),
  urlToParams: (url) =>
    Effect.map(ConnectorKindAdapter.parseUrl(url, ["memory"]), (u) => (u.hostname.length > 0 ? { buffer: u.hostname } : {}))
})
