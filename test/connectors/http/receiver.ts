/**
 * Receivers for the `http` sink tests: the project's own `http` source (acceptor and intake, read back
 * without a pipeline), and a plain node server that answers each request as a script says (accept, a
 * status, a reset, a late answer), recording what it accepted.
 */
import * as http from "node:http"
import * as zlib from "node:zlib"
import { Duration, Effect, Fiber, Schema, type Scope } from "effect"
import { ControlPlane, type ParamMap, Tags } from "../../../src/index.js"
import * as Http from "../../../src/connectors/http/index.js"
import { request } from "./client.js"

/** The project's `http` source serving on a free port, read back directly from its intake. */
export interface SourceReceiver {
  readonly port: number
  /** Every line received so far, in order (what `POST` got `202` for). */
  readonly lines: Effect.Effect<ReadonlyArray<string>>
  /** Stops serving and closes the port: later requests are refused. */
  readonly stop: Effect.Effect<void>
}

/** Starts the `http` source's acceptor with `params` (on port 0 unless given) in the current Scope. */
export const sourceReceiver = (params: ParamMap.ParamMap = {}): Effect.Effect<SourceReceiver, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    const decoded = Schema.decodeUnknownSync(Http.SourceParams)({ port: 0, ...params })
    const intake = yield* Http.Intake.make(decoded.queue_events)
    const acceptor = yield* Http.HttpAcceptor.bind({ params: decoded, intake, name: "receiver", tags: Tags.empty })
    const plane = yield* ControlPlane.make
    const ctrl = yield* plane.subscribe
    const serving = yield* Effect.forkScoped(acceptor.acceptConnection(ctrl))
    while ((yield* request(acceptor.port, { method: "GET", path: "/health" })).status !== 200) yield* Effect.sleep(Duration.millis(2))
    const received: Array<string> = []
    const lines = Effect.gen(function*() {
      while (intake.size() > 0) {
        const batch = yield* Effect.orDie(intake.take(intake.size()))
        for (const e of batch) received.push(typeof e.payload === "string" ? e.payload : Buffer.from(e.payload).toString("utf8"))
      }
      return received.slice()
    })
    return { port: acceptor.port, lines, stop: Effect.zipRight(plane.stop, Effect.ignore(Fiber.await(serving))) }
  })

/** How the scripted server answers one request. */
export type Behaviour =
  /** `200`, the body's lines recorded. */
  | { readonly _tag: "Accept" }
  /** `status` with `headers` and `body`, nothing recorded. */
  | { readonly _tag: "Answer"; readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: string }
  /** The connection is destroyed as the first chunk of the body arrives (mid-request), with no answer; nothing recorded. */
  | { readonly _tag: "Reset" }
  /** The body's lines are recorded, and `200` sent only after `ms` (past the sink's timeout: a duplicate). */
  | { readonly _tag: "Late"; readonly ms: number }

/** One request as the scripted server saw it. */
export interface Seen {
  readonly behaviour: Behaviour["_tag"]
  readonly headers: http.IncomingHttpHeaders
  /** The body, gunzipped when it came with `Content-Encoding: gzip`. */
  readonly body: string
  /** When it arrived (ms since the epoch). */
  readonly at: number
}

/** A plain node server answering by a script. */
export interface ScriptedServer {
  readonly port: number
  /** Every request so far, in order. */
  readonly seen: () => ReadonlyArray<Seen>
  /** The lines of the bodies it recorded (`Accept` and `Late`), in order. */
  readonly accepted: () => ReadonlyArray<string>
}

/** The lines of a body: LF-separated, a trailing LF ends the last one. */
export const linesOf = (body: string): ReadonlyArray<string> => (body === "" ? [] : body.replace(/\n$/, "").split("\n"))

/**
 * A node HTTP server on a free loopback port in the current Scope, answering the `n`th request as
 * `script[n]` says, and every request past the script with `Accept`.
 */
export const scriptedServer = (script: ReadonlyArray<Behaviour> = []): Effect.Effect<ScriptedServer, never, Scope.Scope> =>
  Effect.gen(function*() {
    const seen: Array<Seen> = []
    const accepted: Array<string> = []
    const timers = new Set<NodeJS.Timeout>()
    const server = http.createServer((req, res) => {
      const behaviour = script[seen.length] ?? { _tag: "Accept" }
      const chunks: Array<Buffer> = []
      if (behaviour._tag === "Reset") {
        req.once("data", () => {
          seen.push({ behaviour: "Reset", headers: req.headers, body: "", at: Date.now() })
          req.socket.destroy()
        })
        return
      }
      req.on("data", (c: Buffer) => chunks.push(c))
      req.on("end", () => {
        const raw = Buffer.concat(chunks)
        const body = (req.headers["content-encoding"] === "gzip" ? zlib.gunzipSync(raw) : raw).toString("utf8")
        seen.push({ behaviour: behaviour._tag, headers: req.headers, body, at: Date.now() })
        switch (behaviour._tag) {
          case "Accept":
            accepted.push(...linesOf(body))
            res.writeHead(200).end()
            return
          case "Answer":
            res.writeHead(behaviour.status, behaviour.headers ?? {}).end(behaviour.body ?? "")
            return
          case "Late": {
            accepted.push(...linesOf(body))
            const timer = setTimeout(() => {
              timers.delete(timer)
              if (!res.destroyed) res.writeHead(200).end()
            }, behaviour.ms)
            timers.add(timer)
          }
        }
      })
    })
    yield* Effect.acquireRelease(
      Effect.async<void>((resume) => {
        server.listen(0, "127.0.0.1", () => resume(Effect.void))
      }),
      () =>
        Effect.async<void>((resume) => {
          for (const t of timers) clearTimeout(t)
          server.close(() => resume(Effect.void))
          server.closeAllConnections()
        })
    )
    const address = server.address()
    const port = address !== null && typeof address === "object" ? address.port : 0
    return { port, seen: () => seen.slice(), accepted: () => accepted.slice() }
  })
