/**
 * The `nats` sink: publishes each payload to `subject` through JetStream and counts a batch as
 * written only once the stream acknowledged every message of it (`PubAck`). A lost connection or a
 * missing acknowledgement fails the batch with `SinkUvs(NetworkError)` (202, retryable).
 *
 * @since 0.1.0
 */
import type { JetStreamClient } from "nats"
import { Effect, type Scope } from "effect"
import { describeCause } from "../../errors/describe.js"
import { SinkError } from "../../errors/sink.js"
import { UnifiedReason } from "../../errors/unified.js"
import * as DataRecord from "../../model/record.js"
import * as AsyncSink from "../../sink/sink.js"
import * as SinkFactory from "../../sink/factory.js"
import type { ConfigError } from "../../errors/config.js"
import * as Tls from "../net/tls.js"
import * as Connection from "./connection.js"
import { kind, SinkParams } from "./params.js"
import * as NatsServers from "./servers.js"

/** The subject a sink publishes to: `subject`, or `<stream>.events`. */
export const publishSubject = (params: SinkParams): string => params.subject ?? `${params.stream}.events`

/**
 * Connects a JetStream sink in the current Scope (the connection is drained when it closes). An
 * unreachable server or a missing stream (without `create_stream`) fails the build with 202; refused
 * credentials or a refused TLS certificate with 301 (not retryable); a bad `tls` file with a `ConfigError`.
 */
export const make = (params: SinkParams): Effect.Effect<AsyncSink.AsyncSink, SinkError | ConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const connection = yield* Connection.open(params, (detail, cause) =>
      Connection.isAuthError(cause)
        ? SinkError.uvs(UnifiedReason.external(`${detail}; ${Connection.authHint}`), undefined, cause)
        : Tls.failure(cause) === undefined
        ? SinkError.network(detail, cause)
        : SinkError.uvs(UnifiedReason.external(detail), undefined, cause))
    const js: JetStreamClient = connection.nc.jetstream()
    const subject = publishSubject(params)
    const encoder = new TextEncoder()

    /** Publishes `payloads` in order (all sent at once) and waits for the stream's ack of every one. */
    const publish = (payloads: ReadonlyArray<Uint8Array>): Effect.Effect<void, SinkError> =>
      payloads.length === 0 ? Effect.void : Effect.suspend(() => {
        const down = connection.down()
        if (down !== undefined) return Effect.fail(SinkError.network(`nats sink: ${down}; the batch was not published`))
        return Effect.tryPromise({
          try: () => Promise.all(payloads.map((payload) => js.publish(subject, payload))),
          catch: (cause) => SinkError.network(`nats sink: publish to ${subject} on ${NatsServers.display(params.servers)} failed: ${describeCause(cause)}`, cause)
        })
      })

    return AsyncSink.make({
      identifier: `nats:${params.stream}/${subject}`,
      sinkStr: (data) => publish([encoder.encode(data)]),
      sinkBytes: (data) => publish([data]),
      sinkStrBatch: (data) => publish(data.map((s) => encoder.encode(s))),
      sinkBytesBatch: publish,
      sinkRecords: (records) => publish(records.map((r) => encoder.encode(DataRecord.toJsonText(r))))
    })
  })

/** The `nats` sink factory: connects at build (an unreachable server or missing stream fails the build with 202). */
export const factory: SinkFactory.SinkFactory = SinkFactory.withParams({
  kind,
  params: SinkParams,
  build: (params) => Effect.map(make(params), SinkFactory.handle)
})
