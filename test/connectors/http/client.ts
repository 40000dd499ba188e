import * as http from "node:http"
import * as net from "node:net"
import { Duration, Effect, Option, type Scope } from "effect"
import {
  ConnectorRegistry,
  ControlPlane,
  type DataSource,
  ParamMap,
  type SourceBatch,
  SourceFactory,
  Tags
} from "../../../src/index.js"
import * as Http from "../../../src/connectors/http/index.js"

/** What the server answered. */
export interface Answer {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly text: string
  readonly json: unknown
}

/** A request to 127.0.0.1:`port`. */
export interface RequestOptions {
  readonly method?: string
  readonly path?: string
  readonly body?: string | Uint8Array | ReadonlyArray<Uint8Array>
  readonly headers?: http.OutgoingHttpHeaders
  /** Default: a fresh connection (`agent: false`), closed after the reply. */
  readonly agent?: http.Agent
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * Sends one request over real loopback HTTP and reads the whole reply. Errors writing the body after the
 * reply arrived (the server refused it early and closed) are ignored: the reply is what counts.
 */
export const request = (port: number, options: RequestOptions = {}): Effect.Effect<Answer, Error> =>
  Effect.async((resume) => {
    let answered = false
    const req = http.request({
      host: "127.0.0.1",
      port,
      method: options.method ?? "POST",
      path: options.path ?? "/ingest",
      headers: options.headers,
      agent: options.agent ?? false
    })
    req.on("response", (res) => {
      answered = true
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8")
        resume(Effect.succeed({ status: res.statusCode ?? 0, headers: res.headers, text, json: parseJson(text) }))
      })
      res.on("error", (e) => resume(Effect.fail(e)))
    })
    req.on("error", (e) => {
      if (!answered) resume(Effect.fail(e))
    })
    const body = options.body
    if (body === undefined || typeof body === "string" || body instanceof Uint8Array) req.end(body)
    else {
      for (const chunk of body) req.write(chunk)
      req.end()
    }
    return Effect.sync(() => req.destroy())
  })

/** Writes `bytes` on a raw TCP connection, then waits for the server to close it; yields what it answered. */
export const raw = (port: number, bytes: Uint8Array | string, options: { readonly destroyAfterWrite?: boolean } = {}) =>
  Effect.async<string, Error>((resume) => {
    const socket = net.connect(port, "127.0.0.1")
    const chunks: Array<Buffer> = []
    socket.on("data", (c: Buffer) => chunks.push(c))
    socket.on("close", () => resume(Effect.succeed(Buffer.concat(chunks).toString("latin1"))))
    socket.on("error", () => undefined) // a reset after the answer: the close above reports it
    socket.write(bytes, () => {
      if (options.destroyAfterWrite === true) socket.destroy()
    })
    return Effect.sync(() => socket.destroy())
  })

/** A raw connection left open by the client: only the server closes it. */
export interface Dangling {
  readonly socket: net.Socket
  /** Writes more bytes. */
  readonly write: (bytes: string) => Effect.Effect<void>
  /** What the server answered, once it closed the connection. */
  readonly answer: Effect.Effect<string>
}

/** Opens a raw connection and writes `bytes` (e.g. half a request), leaving it open. */
export const dangling = (port: number, bytes: string): Effect.Effect<Dangling> =>
  Effect.async<Dangling>((resume) => {
    const socket = net.connect(port, "127.0.0.1")
    const chunks: Array<Buffer> = []
    const closed = new Promise<string>((done) => {
      socket.on("close", () => done(Buffer.concat(chunks).toString("latin1")))
    })
    socket.on("data", (c: Buffer) => chunks.push(c))
    socket.on("error", () => undefined)
    const write = (more: string) =>
      Effect.async<void>((written) => {
        socket.write(more, () => written(Effect.void))
      })
    socket.write(bytes, () => resume(Effect.succeed({ socket, write, answer: Effect.promise(() => closed) })))
  })

/** The number of TCP handles (servers and sockets) open in this process. */
export const tcpHandles = (): number => process.getActiveResourcesInfo().filter((r) => r.startsWith("TCP")).length

/** Runs `body` in its own Scope, then checks that every TCP handle it opened was closed (no more TCP handles than before). */
export const leakChecked = <A, E>(body: Effect.Effect<A, E, Scope.Scope>): Effect.Effect<A, E | Error> =>
  Effect.gen(function*() {
    const before = tcpHandles()
    const out = yield* Effect.scoped(body)
    // a closed handle leaves the list once its close callback ran: give it a few turns of the loop
    for (let i = 0; i < 50 && tcpHandles() > before; i++) yield* Effect.sleep(Duration.millis(10))
    const after = tcpHandles()
    if (after > before) return yield* Effect.fail(new Error(`TCP handles leaked: ${before} before, ${after} after`))
    return out
  })

/** A source spec of kind `http` named `web`, tagged `env:test`. */
export const spec = (params: ParamMap.ParamMap, tags: ReadonlyArray<string> = ["env:test"]): SourceFactory.ResolvedSourceSpec => ({
  name: "web",
  kind: "http",
  connectorId: "http-src",
  params,
  tags
})

/** A built `http` source whose acceptor is serving on a free port. */
export interface Harness {
  readonly port: number
  readonly source: DataSource.DataSource
  readonly meta: SourceFactory.SourceMeta
  readonly plane: ControlPlane.ControlPlane
  /** Waits for the acceptor to end (after Stop). */
  readonly acceptorDone: Effect.Effect<void, unknown>
}

/** Builds through the registry (params on port 0 unless given) without starting the acceptor. */
export const build = (params: ParamMap.ParamMap) =>
  Effect.gen(function*() {
    const registry = yield* ConnectorRegistry.ConnectorRegistry
    const factory = yield* registry.sourceFactory("http")
    const svc = yield* factory.build(spec({ port: 0, ...params }), SourceFactory.buildCtx("/nonexistent"))
    const handle = svc.sources[0]!
    const acceptor = Option.getOrThrow(svc.acceptor)
    const port = Number(Tags.getOrUndefined(handle.metadata.tags, "http_port"))
    return { svc, handle, acceptor, port }
  }).pipe(Effect.provide(ConnectorRegistry.fromConnectors(Http.layer)))

/** Builds and starts serving; waits until `/health` says ok. */
export const serve = (params: ParamMap.ParamMap = {}): Effect.Effect<Harness, unknown, Scope.Scope> =>
  Effect.gen(function*() {
    const { acceptor, handle, port } = yield* build(params)
    const plane = yield* ControlPlane.make
    const ctrl = yield* plane.subscribe
    const fiber = yield* Effect.forkScoped(acceptor.acceptor.acceptConnection(ctrl))
    while ((yield* request(port, { method: "GET", path: "/health" })).status !== 200) yield* Effect.sleep(Duration.millis(2))
    return { port, source: handle.source, meta: handle.metadata, plane, acceptorDone: Effect.asVoid(fiber.await) }
  })

/** Receives batches until `count` events arrived (each receive bounded by a timeout). */
export const receiveN = (source: DataSource.DataSource, count: number) =>
  Effect.gen(function*() {
    const out: Array<SourceBatch[number]> = []
    while (out.length < count) {
      const batch = yield* Effect.timeoutFail(source.receive, {
        duration: Duration.seconds(5),
        onTimeout: () => new Error(`only ${out.length} of ${count} events arrived`)
      })
      out.push(...batch)
    }
    return out
  })

/** The text of an event payload. */
export const text = (e: SourceBatch[number]): string => (typeof e.payload === "string" ? e.payload : Buffer.from(e.payload).toString())
