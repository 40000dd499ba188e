/**
 * The HTTP side of the `victoriametrics` sink, on plain `node:http` / `node:https`: one keep-alive
 * connection in a Scope, `POST`s of push bodies with a timeout, the classification of what went wrong,
 * and a count of lost connections (every socket closed while the sink was open, or a request that failed
 * on its connection): after one, the server may have restarted and lost what it had not yet written.
 *
 * @since 0.2.0
 */
import * as http from "node:http"
import type { Socket } from "node:net"
import { Effect, type Scope } from "effect"
import { describeCause } from "../../errors/describe.js"
import { SinkError } from "../../errors/sink.js"
import { UnifiedReason } from "../../errors/unified.js"
import * as Tls from "../net/tls.js"
import * as NodeBuiltins from "../../platform/node-builtins.js"

/** An answer: status and (the first bytes of) the body as text. */
export interface Answer {
  readonly status: number
  readonly body: string
  /** The `Retry-After` header, when there is one. */
  readonly retryAfter: string | undefined
}

/** How much of an answer's body is kept for messages. */
const maxBodyText = 2048

/** What `open` needs. */
export interface PushOptions {
  /** The push URL (`insert_url` with the sink's `extra_label`s). */
  readonly url: URL
  readonly contentType: string
  readonly username?: string | undefined
  readonly password?: string | undefined
  readonly timeoutMs: number
  /** TLS options of an `https:` URL (`Tls.clientOptions`); Node's defaults without. */
  readonly tls?: Tls.ClientOptions | undefined
}

/** One connection to the server and what happened to it. */
export interface Pusher {
  /** `POST`s `body` to the push URL: succeeds on a 2xx answer; fails as `classify` says. */
  readonly push: (body: Buffer) => Effect.Effect<void, SinkError>
  /** `GET`s `path` (with query) on the same origin: the answer (its first `keep` bytes, default 2 KiB), or a connection failure (202) / timeout (204). */
  readonly get: (path: string, keep?: number) => Effect.Effect<Answer, SinkError>
  /** How many connections were lost so far (grows; compare two readings). */
  readonly losses: () => number
  /** The push URL as messages show it. */
  readonly target: string
}

/** What to check when the server refuses the credentials. */
export const authHint = "check params.username and params.password"

/**
 * The failure of a push answered `answer`: `429`, `408` and `5xx` are retryable (`NetworkError`, 202:
 * the server cannot take it now); `401` / `403` are a `PermissionError` (103), `400` (the server refused
 * the data) a `DataError` (200), every other status an `ExternalError` (301): not retryable, with the
 * server's message.
 */
export const classify = (target: string, answer: Answer): SinkError => {
  const said = answer.body.trim().replace(/\s+/g, " ")
  const detail = `victoriametrics sink: ${target} answered ${answer.status}${said.length === 0 ? "" : `: ${said}`}`
  if (answer.status === 429 || answer.status === 408 || answer.status >= 500) {
    return SinkError.network(answer.retryAfter === undefined ? detail : `${detail} (Retry-After: ${answer.retryAfter})`)
  }
  if (answer.status === 401 || answer.status === 403) return SinkError.uvs(UnifiedReason.permission(`${detail}; ${authHint}`))
  if (answer.status === 400) return SinkError.uvs(UnifiedReason.data(detail))
  return SinkError.uvs(UnifiedReason.external(detail))
}

/** `url` without its query, for messages (the query holds the sink's labels, not secrets, but is long). */
const describeUrl = (url: URL): string => `${url.origin}${url.pathname}`

/** Opens the pusher of `options` in the current Scope (its connection is closed when the Scope closes). */
export const open = (options: PushOptions): Effect.Effect<Pusher, never, Scope.Scope> =>
  Effect.gen(function*() {
    const secure = options.url.protocol === "https:"
    /** Set when the Scope closes: the sockets closed then are not lost connections. */
    let closing = false
    let losses = 0
    const agent = yield* Effect.acquireRelease(
      Effect.sync(() => (secure ? new (NodeBuiltins.https().Agent)({ ...options.tls, keepAlive: true, maxSockets: 1 }) : new http.Agent({ keepAlive: true, maxSockets: 1 }))),
      (agent) =>
        Effect.sync(() => {
          closing = true
          agent.destroy()
        })
    )
    const tracked = new WeakSet<Socket>()
    const onSocket = (socket: Socket) => {
      if (tracked.has(socket)) return
      tracked.add(socket)
      socket.once("close", () => {
        if (!closing) losses += 1
      })
    }
    const authorization = options.username === undefined
      ? undefined
      : `Basic ${Buffer.from(`${options.username}:${options.password ?? ""}`, "utf8").toString("base64")}`
    const target = describeUrl(options.url)

    /** One request; a connection failure is a `NetworkError` (202), no answer within the timeout a `TimeoutError` (204). */
    const request = (method: "GET" | "POST", url: URL, body: Buffer | undefined, keep: number): Effect.Effect<Answer, SinkError> =>
      Effect.async<Answer, SinkError>((resume) => {
        const headers: Record<string, string | number> = {}
        if (authorization !== undefined) headers["authorization"] = authorization
        if (body !== undefined) {
          headers["content-type"] = options.contentType
          headers["content-length"] = body.byteLength
        }
        let done = false
        const finish = (effect: Effect.Effect<Answer, SinkError>) => {
          if (done) return
          done = true
          clearTimeout(timer)
          resume(effect)
        }
        const req = (secure ? NodeBuiltins.https() : http).request(url, { method, agent, headers })
        req.on("socket", onSocket)
        req.on("error", (e) => {
          const refusal = Tls.failure(e)
          const detail = `victoriametrics sink: ${method} ${describeUrl(url)} failed: ${refusal ?? describeCause(e)}`
          finish(Effect.fail(refusal === undefined ? SinkError.network(detail, e) : SinkError.uvs(UnifiedReason.external(detail), undefined, e)))
        })
        req.on("response", (res) => {
          const chunks: Array<Buffer> = []
          let kept = 0
          res.on("data", (chunk: Buffer) => {
            if (kept < keep) {
              chunks.push(chunk)
              kept += chunk.byteLength
            }
          })
          res.on("error", (e) => finish(Effect.fail(SinkError.network(`victoriametrics sink: the answer to ${method} ${describeUrl(url)} broke off: ${describeCause(e)}`, e))))
          res.on("end", () => {
            const header = res.headers["retry-after"]
            finish(Effect.succeed({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).subarray(0, keep).toString("utf8"),
              retryAfter: typeof header === "string" ? header : undefined
            }))
          })
        })
        const timer = setTimeout(() => {
          req.destroy()
          finish(Effect.fail(SinkError.uvs(UnifiedReason.timeout(`victoriametrics sink: ${method} ${describeUrl(url)} got no answer within ${options.timeoutMs} ms`))))
        }, options.timeoutMs)
        req.end(body)
        return Effect.sync(() => {
          done = true
          clearTimeout(timer)
          req.destroy()
        })
      })

    const push = (body: Buffer): Effect.Effect<void, SinkError> =>
      Effect.flatMap(request("POST", options.url, body, maxBodyText), (answer) =>
        answer.status >= 200 && answer.status < 300 ? Effect.void : Effect.fail(classify(target, answer)))

    const get = (path: string, keep = maxBodyText): Effect.Effect<Answer, SinkError> => request("GET", new URL(path, options.url), undefined, keep)

    return { push, get, losses: () => losses, target }
  })
