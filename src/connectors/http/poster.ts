/**
 * `Poster`: the HTTP client of the `http` sink. One keep-alive connection to one target, one request at
 * a time; `post` sends a body and reads the answer (its status, `Retry-After`, and the start of its body
 * when it is not a success) within the connect and request timeouts. A request that could not be sent or
 * answered fails with a retryable `SinkError`: `TimeoutError` (204) past a timeout, `NetworkError` (202)
 * for a refused, reset or closed connection; over HTTPS (`tls`), a refused certificate is an
 * `ExternalError` (301), not retryable.
 *
 * @since 0.2.0
 */
import * as http from "node:http"
import { Effect, type Scope } from "effect"
import { SinkError } from "../../errors/sink.js"
import { UnifiedReason } from "../../errors/unified.js"
import * as Tls from "../net/tls.js"
import * as NodeBuiltins from "../../platform/node-builtins.js"

/** Where and how the poster sends. */
export interface Target {
  readonly addr: string
  readonly port: number
  readonly path: string
  /** `http://addr:port/path`, for messages. */
  readonly url: string
  readonly connectTimeoutMs: number
  readonly requestTimeoutMs: number
  /** Headers of every request (authorization, ...). */
  readonly headers: Readonly<Record<string, string>>
  /** POST over HTTPS with these options (`Tls.clientOptions`); plain HTTP without. */
  readonly tls?: Tls.ClientOptions | undefined
}

/** What the server answered. */
export interface Answer {
  readonly status: number
  readonly statusText: string
  /** The `Retry-After` header, when there is one. */
  readonly retryAfter: string | undefined
  /** The first `excerptBytes` of the body (lossy UTF-8) when the status is not 2xx; empty otherwise. */
  readonly excerpt: string
}

/** How much of a refusal's body its error quotes. */
export const excerptBytes = 512

/** The HTTP client of one sink. */
export interface Poster {
  /** POSTs `body` with `headers` (besides the target's); the answer, whatever its status. */
  readonly post: (body: Buffer, headers: Readonly<Record<string, string>>) => Effect.Effect<Answer, SinkError>
  /** Closes the kept-alive connection (and a request in flight): the next request opens a new one. */
  readonly reset: Effect.Effect<void>
}

/** Why a request failed before it was answered. */
type Failed =
  | { readonly _tag: "ConnectTimeout" }
  | { readonly _tag: "RequestTimeout" }
  | { readonly _tag: "Error"; readonly error: NodeJS.ErrnoException }

/** Sends one request and reads its answer; `resume` is called once, with the answer or why it failed. */
const send = (
  agent: http.Agent,
  target: Target,
  body: Buffer,
  headers: Readonly<Record<string, string>>,
  resume: (result: Answer | Failed) => void
): (() => void) => {
  let done = false
  const req = (target.tls === undefined ? http : NodeBuiltins.https()).request({
    host: target.addr,
    port: target.port,
    path: target.path,
    method: "POST",
    agent,
    headers: { ...target.headers, ...headers, "content-length": String(body.length) }
  })
  let connectTimer: NodeJS.Timeout | undefined
  const finish = (result: Answer | Failed) => {
    if (done) return
    done = true
    clearTimeout(requestTimer)
    clearTimeout(connectTimer)
    resume(result)
  }
  const abort = (why: Failed) => {
    finish(why)
    req.destroy()
  }
  const requestTimer = setTimeout(() => abort({ _tag: "RequestTimeout" }), target.requestTimeoutMs)
  req.on("socket", (socket) => {
    if (!socket.connecting) return
    connectTimer = setTimeout(() => abort({ _tag: "ConnectTimeout" }), target.connectTimeoutMs)
    socket.once("connect", () => clearTimeout(connectTimer))
  })
  req.on("error", (error: NodeJS.ErrnoException) => finish({ _tag: "Error", error }))
  req.on("response", (res) => {
    const status = res.statusCode ?? 0
    const success = status >= 200 && status < 300
    const chunks: Array<Buffer> = []
    let kept = 0
    res.on("data", (chunk: Buffer) => {
      if (success || kept >= excerptBytes) return
      chunks.push(chunk)
      kept += chunk.length
    })
    res.on("end", () =>
      finish({
        status,
        statusText: res.statusMessage ?? "",
        retryAfter: res.headers["retry-after"],
        excerpt: kept === 0 ? "" : Buffer.concat(chunks, kept).subarray(0, excerptBytes).toString("utf8")
      }))
    // the connection broke while the body of the answer was arriving
    res.on("error", (error: NodeJS.ErrnoException) => finish({ _tag: "Error", error }))
    res.on("aborted", () => finish({ _tag: "Error", error: Object.assign(new Error("the answer was cut short"), { code: "ECONNRESET" }) }))
  })
  req.end(body)
  return () => {
    done = true
    clearTimeout(requestTimer)
    clearTimeout(connectTimer)
    req.destroy()
  }
}

/** The retryable error of a request that failed before it was answered. */
const failure = (target: Target, failed: Failed): SinkError => {
  switch (failed._tag) {
    case "ConnectTimeout":
      return SinkError.uvs(UnifiedReason.timeout(`http sink: connecting to ${target.url} timed out after ${target.connectTimeoutMs} ms`))
    case "RequestTimeout":
      return SinkError.uvs(UnifiedReason.timeout(`http sink: POST ${target.url} got no whole answer within ${target.requestTimeoutMs} ms`))
    case "Error": {
      const refusal = Tls.failure(failed.error)
      if (refusal !== undefined) return SinkError.uvs(UnifiedReason.external(`http sink: POST ${target.url} failed: ${refusal}`), undefined, failed.error)
      const code = failed.error.code === undefined ? "" : ` (${failed.error.code})`
      return SinkError.network(`http sink: POST ${target.url} failed: ${failed.error.message}${code}`, failed.error)
    }
  }
}

const isAnswer = (result: Answer | Failed): result is Answer => !("_tag" in result)

/** How long a kept-alive connection may idle before the poster closes it: under the 5 s of node's servers (a shorter `Keep-Alive: timeout` hint of the server wins). */
export const idleMs = 4000

/**
 * A poster for `target` in the current Scope: a keep-alive agent holding at most one connection, closed
 * (with a request in flight) when the Scope closes. An idle connection is closed after `idleMs`, before
 * the server closes it under a request going out.
 */
export const make = (target: Target): Effect.Effect<Poster, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.sync(() => {
        const options = { keepAlive: true, maxSockets: 1, maxFreeSockets: 1, timeout: idleMs }
        return target.tls === undefined ? new http.Agent(options) : new (NodeBuiltins.https().Agent)({ ...target.tls, ...options })
      }),
      (agent) => Effect.sync(() => agent.destroy())
    ),
    (agent) => ({
      post: (body, headers) =>
        Effect.flatMap(
          Effect.async<Answer | Failed>((resume) => {
            const cancel = send(agent, target, body, headers, (result) => resume(Effect.succeed(result)))
            return Effect.sync(cancel)
          }),
          (result) => (isAnswer(result) ? Effect.succeed(result) : Effect.fail(failure(target, result)))
        ),
      reset: Effect.sync(() => agent.destroy())
    })
  )
