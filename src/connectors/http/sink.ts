/**
 * The `http` sink: POSTs each batch, in one request, to `http://addr:port<path>` as `format` says (see
 * `BatchBody`), gzipped when `gzip`, with a bearer or basic `Authorization`. A batch counts as written
 * once the answer is a `2xx`. Requests go one at a time over one kept-alive connection, so batches
 * arrive in order.
 *
 * Failures (see `HttpStatus`): a connection refused, reset or timed out, a `408`, `429` or `5xx` fail
 * the batch retryably and the engine sends it again (after its cool-down and a `reconnect`, which opens
 * a new connection); every other status fails it for good, naming the status and the start of the answer,
 * and the engine rescues it. A `Retry-After` on a retryable answer holds the next request back until
 * then (at most `retry_after_max_ms`; the wait is part of the next write, which a Stop interrupts):
 * the engine's own backoff cannot be told a delay, so the sink waits out what the server asked for.
 *
 * @since 0.2.0
 */
import { promisify } from "node:util"
import { Clock, Duration, Effect, type Scope } from "effect"
import type { ConfigError } from "../../errors/config.js"
import { SinkError } from "../../errors/sink.js"
import { UnifiedReason } from "../../errors/unified.js"
import * as DataRecord from "../../model/record.js"
import * as SinkFactory from "../../sink/factory.js"
import * as JsonBytes from "../../sink/json-bytes.js"
import * as RecordEncoder from "../../sink/record-encoder.js"
import * as AsyncSink from "../../sink/sink.js"
import { hostPort } from "../net/listen.js"
import * as Tls from "../net/tls.js"
import * as BatchBody from "./batch-body.js"
import { kind, SinkParams } from "./params.js"
import * as Poster from "./poster.js"
import * as RetryAfter from "./retry-after.js"
import * as HttpStatus from "./status.js"
import * as NodeBuiltins from "../../platform/node-builtins.js"

const gzip = (body: Buffer): Promise<Buffer> => promisify(NodeBuiltins.zlib().gzip)(body)

/** The `Authorization` header `params` ask for: `Bearer <token>`, `Basic <base64(user:password)>`, or none. */
export const authorization = (params: Pick<SinkParams, "token" | "username" | "password">): Readonly<Record<string, string>> =>
  params.token !== undefined
    ? { authorization: `Bearer ${params.token}` }
    : params.username !== undefined
    ? { authorization: `Basic ${Buffer.from(`${params.username}:${params.password ?? ""}`, "utf8").toString("base64")}` }
    : {}

/** `http://addr:port<path>` (`https:` with an enabled `tls`): where the sink POSTs. */
export const targetUrl = (params: Pick<SinkParams, "addr" | "port" | "path" | "tls">): string =>
  `${params.tls?.enabled === true ? "https" : "http"}://${hostPort(params.addr, params.port)}${params.path}`

/** What the error of a refused credential adds. */
const authHint = "; check params.token, or params.username and params.password"

/**
 * An HTTP sink in the current Scope (its connection is closed when the Scope closes). Nothing is
 * connected before the first write: a server that is down fails writes, retryably, not the build. With
 * `tls` it POSTs over HTTPS (a refused certificate fails writes with 301; a bad `tls` file the build
 * with a `ConfigError`).
 */
export const make = (params: SinkParams): Effect.Effect<AsyncSink.AsyncSink, ConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const url = targetUrl(params)
    const tls = yield* Tls.clientOptions(params.tls, "http sink")
    const poster = yield* Poster.make({
      addr: params.addr,
      port: params.port,
      path: params.path,
      url,
      connectTimeoutMs: params.connect_timeout_ms,
      requestTimeoutMs: params.request_timeout_ms,
      headers: { ...authorization(params), "user-agent": "wpc-http-sink" },
      tls
    })
    const stoppedError = SinkError.stopped(`http:${url}`)
    let stopped = false
    /** No request before this (Clock ms): what the last `Retry-After` asked for. */
    let notBefore = 0

    /** Waits until `notBefore`, if it is still ahead. */
    const holdBack: Effect.Effect<void> = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      now >= notBefore ? Effect.void : Effect.sleep(Duration.millis(notBefore - now)))

    /** Remembers the wait a retryable answer's `Retry-After` asked for; what the error says of it. */
    const honour = (answer: Poster.Answer): Effect.Effect<string> =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        // an HTTP-date is wall-clock time; the wait it gives is then counted on the effect Clock
        const wait = RetryAfter.waitMs(answer.retryAfter, Date.now())
        if (wait === undefined || params.retry_after_max_ms === 0) return ""
        const held = Math.min(wait, params.retry_after_max_ms)
        notBefore = Math.max(notBefore, now + held)
        return `; Retry-After ${answer.retryAfter}: the next request waits ${held} ms`
      })

    /** The error of an answer that is not a `2xx`. */
    const refused = (answer: Poster.Answer): Effect.Effect<never, SinkError> =>
      Effect.flatMap(
        HttpStatus.isRetryable(answer.status)
          ? honour(answer)
          : Effect.succeed(answer.status === 401 || answer.status === 403 ? authHint : ""),
        (note) => Effect.fail(HttpStatus.failure(url, answer, note))
      )

    /** The bytes to send: `body`, gzipped when `gzip`. */
    const encode = (body: Buffer): Effect.Effect<Buffer, SinkError> =>
      params.gzip
        ? Effect.tryPromise({
          try: () => gzip(body),
          catch: (cause) => SinkError.uvs(UnifiedReason.system(`http sink: gzip of a ${body.length}-byte body failed`), undefined, cause)
        })
        : Effect.succeed(body)

    const headersOf = (body: BatchBody.BatchBody): Readonly<Record<string, string>> =>
      params.gzip ? { "content-type": body.contentType, "content-encoding": "gzip" } : { "content-type": body.contentType }

    /** POSTs `body` once the last `Retry-After` has passed; succeeds on a `2xx`. */
    const send = (body: BatchBody.BatchBody): Effect.Effect<void, SinkError> =>
      holdBack.pipe(
        Effect.zipRight(Effect.suspend(() => (stopped ? Effect.fail(stoppedError) : encode(body.bytes)))),
        Effect.flatMap((bytes) => poster.post(bytes, headersOf(body))),
        Effect.flatMap((answer) => (HttpStatus.isSuccess(answer.status) ? Effect.void : refused(answer)))
      )

    const format = params.format
    const texts = (data: ReadonlyArray<string>) => (data.length === 0 ? Effect.void : send(BatchBody.texts(data, format)))
    const bytes = (data: ReadonlyArray<Uint8Array>) => (data.length === 0 ? Effect.void : send(BatchBody.bytes(data, format)))
    const encoded = (data: ReadonlyArray<string>) => (data.length === 0 ? Effect.void : send(BatchBody.encoded(data, format)))
    const encodedBytes = (chunks: ReadonlyArray<Uint8Array>) => (chunks.length === 0 ? Effect.void : send(BatchBody.encodedBytes(chunks, format)))

    return AsyncSink.fromBatches({
      identifier: `http:${url}`,
      sinkStrBatch: texts,
      sinkBytesBatch: bytes,
      // a record is its JSON object, written into bytes when the engine routes it
      recordEncoder: RecordEncoder.make(DataRecord.toJsonText, encoded, {
        separator: BatchBody.separator(format),
        bytes: { encodeInto: (record, out) => (JsonBytes.recordInto(record, out), true), write: encodedBytes }
      }),
      reconnect: poster.reset,
      stop: Effect.suspend(() => {
        stopped = true
        return poster.reset
      })
    })
  })

/** The `http` sink factory: builds without connecting (the first write connects). */
export const factory: SinkFactory.SinkFactory = SinkFactory.withParams({
  kind,
  params: SinkParams,
  build: (params) => Effect.map(make(params), SinkFactory.handle)
})
