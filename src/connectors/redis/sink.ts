/**
 * The `redis` sink: appends each payload to `stream` as an entry `{ <field>: payload }` (`XADD`,
 * trimmed with `MAXLEN ~ maxlen` when `maxlen > 0`), one pipelined transaction (`MULTI` ... `EXEC`)
 * per batch, so a connection lost before `EXEC` writes none of it. A batch counts as written only
 * once every `XADD` of it was answered with an id. A lost connection, or a server that cannot take
 * writes now (`LOADING`, `READONLY`, `BUSY`, `TRYAGAIN`, `MASTERDOWN`), fails it with
 * `SinkUvs(NetworkError)` (202, retryable); every other refusal (`WRONGTYPE`, `OOM`, ...) with
 * `SinkUvs(ExternalError)` (301, not retryable).
 *
 * @since 0.1.0
 */
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

/** The sink error of an `XADD` the server refused: 202 when the refusal is transient, else 301. */
const refused = (detail: string, cause: unknown): SinkError =>
  Connection.isTransientReply(cause) ? SinkError.network(detail, cause) : SinkError.uvs(UnifiedReason.external(detail), undefined, cause)

/** How long `reconnect` waits for the client to be connected again. */
const reconnectWaitMs = 2000

/** The bytes of `data` as a Buffer sharing its memory. */
const toBuffer = (data: Uint8Array): Buffer => Buffer.from(data.buffer, data.byteOffset, data.byteLength)

/**
 * Connects a Streams sink in the current Scope (the client quits when it closes). An unreachable
 * server fails the build with 202 naming host:port/db; refused credentials or a refused TLS certificate
 * with 301 (not retryable); a bad `tls` file with a `ConfigError`.
 */
export const make = (params: SinkParams): Effect.Effect<AsyncSink.AsyncSink, SinkError | ConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const tlsOptions = yield* Tls.clientOptions(params.tls, "redis sink")
    const connection = yield* Connection.open({ ...params, tlsOptions }, `wpc-sink-${params.stream}`, (detail, cause) =>
      Connection.isAuthError(cause)
        ? SinkError.uvs(UnifiedReason.external(`${detail}; ${Connection.authHint}`), undefined, cause)
        : Tls.failure(cause) === undefined
        ? SinkError.network(detail, cause)
        : SinkError.uvs(UnifiedReason.external(detail), undefined, cause))
    const target = `${connection.where} stream ${JSON.stringify(params.stream)}`
    const trim: ReadonlyArray<string | number> = params.maxlen > 0 ? ["MAXLEN", "~", params.maxlen] : []

    /** XADDs `payloads` in one pipelined transaction, in order; succeeds once every one got its entry id. */
    const append = (payloads: ReadonlyArray<string | Buffer>): Effect.Effect<void, SinkError> =>
      payloads.length === 0 ? Effect.void : Effect.suspend(() => {
        const down = connection.down()
        if (down !== undefined) return Effect.fail(SinkError.network(`redis sink: ${down}; the batch was not written to ${target}`))
        const transaction = connection.client.multi()
        for (const payload of payloads) transaction.xadd(params.stream, ...trim, "*", params.field, payload)
        return Effect.tryPromise({
          try: () => transaction.exec(),
          catch: (cause) => {
            const detail = `redis sink: XADD to ${target} failed: ${describeCause(cause)}`
            return Connection.isReplyError(cause) ? refused(detail, cause) : SinkError.network(detail, cause)
          }
        }).pipe(
          Effect.flatMap((results) => {
            if (results === null) return Effect.fail(SinkError.network(`redis sink: XADD to ${target} got no reply`))
            const failed = results.findIndex(([error]) => error !== null)
            if (failed < 0) return Effect.void
            const error = results[failed]![0]
            return Effect.fail(refused(`redis sink: XADD #${failed} of ${payloads.length} to ${target} refused: ${describeCause(error)}`, error))
          })
        )
      })

    const reconnect = Effect.flatMap(connection.ready(reconnectWaitMs), (ok) =>
      ok ? Effect.void : Effect.fail(SinkError.network(`redis sink: ${connection.down() ?? "not connected"}; still reconnecting`)))

    return AsyncSink.make({
      identifier: `redis:${params.stream}`,
      sinkStr: (data) => append([data]),
      sinkBytes: (data) => append([toBuffer(data)]),
      sinkStrBatch: append,
      sinkBytesBatch: (data) => append(data.map(toBuffer)),
      sinkRecords: (records) => append(records.map(DataRecord.toJsonText)),
      reconnect
    })
  })

/** The `redis` sink factory: connects at build (an unreachable server fails the build with 202). */
export const factory: SinkFactory.SinkFactory = SinkFactory.withParams({
  kind,
  params: SinkParams,
  build: (params) => Effect.map(make(params), SinkFactory.handle)
})
