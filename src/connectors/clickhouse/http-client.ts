/**
 * The sink's HTTP client: POSTs over one keep-alive agent (plain `node:http` / `node:https`, no client
 * library), each request bounded by a deadline. A request that fails before an answer came is a
 * `SinkError`: a refused, reset or dropped connection is `NetworkError` (202) and no answer within
 * the deadline `TimeoutError` (204), both retryable; a TLS certificate the client refuses is an
 * `ExternalError` (301), as retrying cannot help.
 *
 * @since 0.2.0
 */
import * as http from "node:http"
import { Effect, type Scope } from "effect"
import { SinkError } from "../../errors/sink.js"
import { UnifiedReason } from "../../errors/unified.js"
import * as Tls from "../net/tls.js"
import * as NodeBuiltins from "../../platform/node-builtins.js"

/** What the server answered: its status, the exception code it named in a header (newer servers do) and its body's text. */
export interface Reply {
  readonly status: number
  /** `X-ClickHouse-Exception-Code`, when the server sent it. */
  readonly exceptionCode: string | undefined
  readonly body: string
}

/** A client bound to one server. */
export interface HttpClient {
  /**
   * POSTs `body` to `url` (on the client's server); succeeds with whatever the server answered, fails
   * only when no answer came. `what` names the request in the error's detail.
   */
  readonly post: (url: URL, body: Buffer, what: string) => Effect.Effect<Reply, SinkError>
  /** Closes the idle keep-alive connections, so that the next request opens a fresh one. */
  readonly dropIdle: Effect.Effect<void>
}

/** How much of a reply's body is kept: ClickHouse's error messages are short. */
const maxBodyBytes = 64 * 1024

/** An error of Node's socket layer: its `code` (`ECONNREFUSED`, ...), when it has one. */
const codeOf = (error: Error): string | undefined => {
  const code: unknown = (error as { readonly code?: unknown }).code
  return typeof code === "string" ? code : undefined
}

/** `true` for the errors of a TLS certificate the client refused. */
const isCertificateError = (code: string | undefined): boolean =>
  code !== undefined && (code.startsWith("ERR_TLS_") || code.includes("CERT") || code === "DEPTH_ZERO_SELF_SIGNED_CERT")

/** The sink error of a request that got no answer because of `error`. */
export const transportError = (what: string, error: Error): SinkError => {
  const code = codeOf(error)
  const said = code === undefined || error.message.includes(code) ? error.message : `${code}: ${error.message}`
  return isCertificateError(code) || Tls.failure(error) !== undefined
    ? SinkError.uvs(UnifiedReason.external(`${what}: TLS: ${said}`), undefined, error)
    : SinkError.network(`${what}: ${said}`, error)
}

/** Destroys every idle socket of `agent`. */
const destroyIdle = (agent: http.Agent): void => {
  for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy()
}

/**
 * A client for the server of `endpoint` in the current Scope: requests carry `headers`, each fails with
 * `TimeoutError` when no complete answer came within `timeoutMs`.
 * Closing the Scope destroys every connection, which fails a request still in flight (202, "stopped").
 */
export const make = (options: {
  readonly endpoint: URL
  readonly headers: Readonly<Record<string, string>>
  readonly timeoutMs: number
  /** TLS options of an `https:` endpoint (`Tls.clientOptions`); Node's defaults without. */
  readonly tls?: Tls.ClientOptions | undefined
}): Effect.Effect<HttpClient, never, Scope.Scope> =>
  Effect.gen(function*() {
    const secure = options.endpoint.protocol === "https:"
    const agent = yield* Effect.acquireRelease(
      Effect.sync(() => (secure ? new (NodeBuiltins.https().Agent)({ ...options.tls, keepAlive: true }) : new http.Agent({ keepAlive: true }))),
      (agent) => Effect.sync(() => agent.destroy())
    )
    let closed = false
    yield* Effect.addFinalizer(() => Effect.sync(() => void (closed = true)))
    const request = secure ? NodeBuiltins.https().request : http.request

    const post = (url: URL, body: Buffer, what: string): Effect.Effect<Reply, SinkError> =>
      Effect.async<Reply, SinkError>((resume) => {
        let done = false
        let timer: NodeJS.Timeout | undefined
        const finish = (result: Effect.Effect<Reply, SinkError>) => {
          if (done) return
          done = true
          clearTimeout(timer)
          resume(result)
        }
        const failed = (error: Error) =>
          finish(Effect.fail(
            closed
              ? SinkError.network(`${what}: the sink was closed while the request was in flight (${error.message})`, error)
              : transportError(what, error)
          ))
        const req = request(url, {
          method: "POST",
          agent,
          headers: { ...options.headers, "Content-Length": String(body.length) }
        }, (res) => {
          const chunks: Array<Buffer> = []
          let kept = 0
          res.on("data", (chunk: Buffer) => {
            if (kept >= maxBodyBytes) return
            chunks.push(chunk)
            kept += chunk.length
          })
          res.on("error", failed)
          res.on("end", () => {
            const code = res.headers["x-clickhouse-exception-code"]
            finish(Effect.succeed({
              status: res.statusCode ?? 0,
              exceptionCode: typeof code === "string" ? code : undefined,
              body: Buffer.concat(chunks).subarray(0, maxBodyBytes).toString("utf8")
            }))
          })
          res.on("close", () => {
            if (!res.complete) failed(new Error("the connection closed before the answer was complete"))
          })
        })
        timer = setTimeout(() => {
          if (done) return
          finish(Effect.fail(SinkError.uvs(UnifiedReason.timeout(`${what}: no answer within ${options.timeoutMs} ms`))))
          req.destroy()
        }, options.timeoutMs)
        req.on("error", failed)
        req.end(body)
        return Effect.sync(() => {
          done = true
          clearTimeout(timer)
          req.destroy()
        })
      })

    return { post, dropIdle: Effect.sync(() => destroyIdle(agent)) }
  })
