/**
 * `HttpAcceptor`: the HTTP server of the `http` source. `bind` listens at once (an address in use is a
 * `ConfigError`); `acceptConnection` answers `POST <path>` and `GET /health` until Stop, then stops
 * accepting, closes the connections and ends the intake, so the source drains what was queued. With
 * `tls` it serves HTTPS; a client whose certificate `client_auth` refuses is closed, counted, logged.
 *
 * @since 0.1.0
 */
import * as http from "node:http"
import type * as tls from "node:tls"
import { Deferred, Duration, Effect, Exit, FiberSet, Option, type Scope } from "effect"
import type { ConfigError } from "../../errors/config.js"
import { SourceError } from "../../errors/source.js"
import type * as Tags from "../../model/tags.js"
import type { CtrlRx } from "../../source/control.js"
import * as SourceEvent from "../../source/event.js"
import type { ServiceAcceptor } from "../../source/factory.js"
import { hostPort, listenTcp } from "../net/listen.js"
import { awaitStop } from "../net/listener.js"
import * as Tls from "../net/tls.js"
import * as LogThrottle from "../../runtime/log-throttle.js"
import * as Bearer from "./bearer.js"
import * as Body from "./body.js"
import * as Encoding from "./encoding.js"
import type { Intake } from "./intake.js"
import * as Lines from "./lines.js"
import { healthPath, type SourceParams } from "./params.js"
import * as Reply from "./reply.js"
import * as NodeBuiltins from "../../platform/node-builtins.js"

/** A bound HTTP ingest server; it answers requests once `acceptConnection` runs. */
export interface HttpAcceptor extends ServiceAcceptor {
  /** The address it listens on. */
  readonly address: string
  /** The port it listens on (the one the OS picked when `port` was 0). */
  readonly port: number
  /** `http://address:port/path` (`https:` with TLS). */
  readonly url: string
  /** TLS handshakes that failed or whose client certificate was refused. */
  readonly tlsRefused: () => number
}

/** Time limits on the server's connections, so a client that sends nothing, or slowly, cannot hold one (`headers` ≤ `request`). */
export interface Timeouts {
  /** A request head must arrive within this from the connection's start (or the previous reply): else `408`, closed. */
  readonly headers: Duration.Duration
  /** A whole request, head and body, must arrive within this: `408` and closed otherwise. */
  readonly request: Duration.Duration
  /** A keep-alive connection without a request for this long is closed. */
  readonly keepAlive: Duration.Duration
  /** How often `headers` and `request` are checked: a connection may outlive them by up to this. */
  readonly check: Duration.Duration
}

/** The timeouts of the `http` source: a head within 30 s, a request within 5 min, 5 s of keep-alive, checked every 5 s. */
export const defaultTimeouts: Timeouts = {
  headers: Duration.seconds(30),
  request: Duration.minutes(5),
  keepAlive: Duration.seconds(5),
  check: Duration.seconds(5)
}

/** What `bind` needs: the params, the intake to fill, and the source name and tags its events carry. */
export interface BindOptions {
  readonly params: SourceParams
  readonly intake: Intake
  /** The `srcKey` of the events. */
  readonly name: string
  /** The tags of every event. */
  readonly tags: Tags.Tags
  /** Overrides of `defaultTimeouts` (shorter ones in tests). */
  readonly timeouts?: Partial<Timeouts> | undefined
}

/** How long a Stop waits for requests in flight before it closes their connections. */
export const stopGrace: Duration.Duration = Duration.seconds(5)

/** How long closing waits for the last sockets to close. */
const closeWait: Duration.Duration = Duration.seconds(1)

type State = "bound" | "serving" | "stopped"

/** The path of a request target, without query or fragment. */
const pathOf = (target: string | undefined): string => {
  const url = target ?? "/"
  const end = url.search(/[?#]/)
  return end === -1 ? url : url.slice(0, end)
}

/**
 * Binds the server in the current Scope: a failed listen is a `ConfigError` naming addr:port and leaves
 * nothing open; closing the Scope closes the server, every connection and every request in flight.
 */
export const bind = (options: BindOptions): Effect.Effect<HttpAcceptor, ConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const { intake, name, params, tags } = options
    const what = `http source ${name}`
    const authorized = params.token === undefined ? undefined : Bearer.verifier(params.token)
    let state: State = "bound"

    const run = yield* FiberSet.makeRuntime<never, void, never>()
    const timeouts = { ...defaultTimeouts, ...options.timeouts }
    // past `max_header_bytes` node's parser fails the request and answers `431` itself; the timeouts `408`
    const serverOptions: http.ServerOptions = {
      maxHeaderSize: params.max_header_bytes,
      headersTimeout: Duration.toMillis(timeouts.headers),
      requestTimeout: Duration.toMillis(timeouts.request),
      keepAliveTimeout: Duration.toMillis(timeouts.keepAlive),
      connectionsCheckingInterval: Duration.toMillis(timeouts.check)
    }
    const secure = yield* Tls.serverOptions(params.tls, what)
    const server = secure === undefined ? http.createServer(serverOptions) : NodeBuiltins.https().createServer({ ...serverOptions, ...secure.options })
    let tlsRefused = 0
    if (secure !== undefined) {
      const refusals = yield* LogThrottle.make({
        interval: Duration.seconds(10),
        line: (detail) => `${what}: TLS handshake failed ${detail} (logged at most once per 10s)`,
        summary: (n, last) => `${what}: ${n} more TLS handshakes failed (the last ${last})`,
        log: Effect.logWarning
      })
      server.on("secureConnection", (socket: tls.TLSSocket) => {
        const refused = Tls.refusedClient(secure, socket)
        if (refused === undefined) return
        tlsRefused++
        refusals.note(`from ${socket.remoteAddress ?? "?"}: ${refused}`)
        socket.destroy()
      })
      server.on("tlsClientError", (error: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
        tlsRefused++
        refusals.note(`from ${socket.remoteAddress ?? "?"}: ${error.code ?? error.message}`)
        socket.destroy()
      })
    }
    const closed = yield* Deferred.make<void>()
    server.on("close", () => Deferred.unsafeDone(closed, Exit.void))

    /** Refuses while not serving: `503` with `Retry-After`, closing when stopped. */
    const unavailable = (): Reply.HttpRejection =>
      Reply.unavailable(state === "bound" ? "http acceptor is not serving yet" : "http acceptor is stopping", params.retry_after_s, state === "stopped")

    const ingest = (req: http.IncomingMessage, res: http.ServerResponse): Effect.Effect<void, Reply.HttpRejection | Body.BodyAborted> =>
      Effect.gen(function*() {
        if (state !== "serving") return yield* unavailable()
        if (authorized !== undefined && !authorized(req.headers.authorization)) {
          return yield* Reply.unauthorized(req.headers.authorization === undefined ? "missing bearer token" : "invalid bearer token")
        }
        const encoding = yield* Encoding.of(req.headers["content-encoding"])
        const body = yield* Effect.flatMap(Body.read(req, params.max_body_bytes), (raw) => Encoding.decode(raw, encoding, params.max_body_bytes))
        const payloads = yield* Lines.split(body, params.format)
        const count = payloads.length
        if (count > intake.capacity) {
          return yield* Reply.tooLarge(`request has ${count} events, more than queue_events (${intake.capacity}); split it`)
        }
        const upsIp = req.socket.remoteAddress
        const admission = yield* intake.offerAll(count, (eventId, i) =>
          SourceEvent.make({ eventId, srcKey: name, payload: payloads[i]!, tags, upsIp }))
        switch (admission._tag) {
          case "Admitted":
            return Reply.send(res, 202, { accepted: count })
          case "Full":
            return yield* Reply.unavailable(
              `queue full: ${admission.waiting} of ${intake.capacity} events waiting, request has ${count}; retry later`,
              params.retry_after_s
            )
          case "AtBound":
            return yield* Reply.unavailable(
              `disk intake at its byte bound: ${admission.logBytes} bytes in the log, buffer_max_bytes is ${admission.maxBytes}; request of ${count} events not taken, retry once the pipeline acks`,
              params.retry_after_s
            )
          case "Failed":
            // the client is told the code and reason, not the server's paths (the log line has the whole error)
            return yield* Reply.unavailable(`disk intake failed, nothing more is appended: [${admission.error.code} ${admission.error.reason}]`, params.retry_after_s)
          case "Closed":
            return yield* unavailable()
        }
      })

    const health = (res: http.ServerResponse): void =>
      Reply.send(res, state === "serving" ? 200 : 503, {
        status: state === "serving" ? "ok" : state === "bound" ? "starting" : "stopping",
        queued: intake.size(),
        capacity: intake.capacity
      })

    const answer = (req: http.IncomingMessage, res: http.ServerResponse): Effect.Effect<void, Reply.HttpRejection | Body.BodyAborted> =>
      Effect.suspend(() => {
        const path = pathOf(req.url)
        const method = req.method ?? "GET"
        if (path === params.path) {
          return method === "POST" ? ingest(req, res) : Effect.fail(Reply.methodNotAllowed(method, path, ["POST"]))
        }
        if (path === healthPath) {
          return method === "GET" || method === "HEAD"
            ? Effect.sync(() => health(res))
            : Effect.fail(Reply.methodNotAllowed(method, path, ["GET", "HEAD"]))
        }
        return Effect.fail(Reply.notFound(path))
      })

    const handle = (req: http.IncomingMessage, res: http.ServerResponse): Effect.Effect<void> =>
      Effect.catchTags(answer(req, res), {
        HttpRejection: (rejection) => Effect.sync(() => Reply.reject(res, rejection)),
        BodyAborted: () => Effect.void // the client is gone: nobody to answer, nothing was queued
      })

    server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
      run(handle(req, res))
    })

    /** Waits up to `limit` for the server to close; interruptible even inside a finalizer, so the timeout works there. */
    const awaitClosed = (limit: Duration.Duration) => Effect.timeoutOption(Effect.interruptible(Deferred.await(closed)), limit)

    /**
     * Stops serving: the intake ends (the source drains it, then ends), the server stops accepting and
     * closes idle keep-alive connections; connections still busy after `grace` are closed.
     */
    const shutdown = (grace: Duration.Duration): Effect.Effect<void> =>
      Effect.gen(function*() {
        state = "stopped"
        yield* intake.close
        if (server.listening) server.close() // also closes idle keep-alive connections
        server.closeIdleConnections()
        if (Option.isSome(yield* awaitClosed(grace))) return
        server.closeAllConnections()
        if (Option.isNone(yield* awaitClosed(closeWait))) {
          yield* Effect.logWarning(`${what}: connections still open after close`)
        }
      })

    const bound = yield* Effect.acquireRelease(listenTcp(server, what, params.addr, params.port), () => shutdown(Duration.zero))
    server.on("error", (error) => {
      run(Effect.logError(`${what}: server error: ${error.message}`))
    })

    const where = hostPort(bound.address, bound.port)
    return {
      address: bound.address,
      port: bound.port,
      url: `${secure === undefined ? "http" : "https"}://${where}${params.path}`,
      tlsRefused: () => tlsRefused,
      acceptConnection: (ctrl: CtrlRx) =>
        Effect.suspend(() => {
          if (state !== "bound") {
            return Effect.fail(SourceError.other(`http acceptor on ${where} is already ${state === "serving" ? "serving" : "stopped"}`))
          }
          state = "serving"
          // a Stop lets requests in flight finish (up to `stopGrace`); an interruption closes at once
          return awaitStop(ctrl).pipe(
            Effect.zipRight(shutdown(stopGrace)),
            Effect.onInterrupt(() => shutdown(Duration.zero))
          )
        })
    }
  })
