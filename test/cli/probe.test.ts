import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, type Scope } from "effect"
import * as http from "node:http"
import * as net from "node:net"
import * as ConnectCheck from "../../src/cli/connect-check.js"
import { mariadbServer, postgresServer } from "../connectors/sql/servers.js"

// The kinds whose servers this machine does not run (MySQL, PostgreSQL, ClickHouse) are probed against
// real loopback servers that speak only the first bytes of their protocol.

/** A TCP server on a free loopback port for the Scope: `onData` answers what a client sends, `greeting` is sent on accept. */
const tcpServer = (options: { readonly greeting?: Buffer; readonly onData?: (data: Buffer, socket: net.Socket) => void }) =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: net.Server; readonly sockets: Set<net.Socket>; readonly port: number; readonly received: Array<Buffer> }>((resume) => {
      const received: Array<Buffer> = []
      const sockets = new Set<net.Socket>()
      const server = net.createServer((socket) => {
        sockets.add(socket)
        socket.on("close", () => sockets.delete(socket))
        socket.on("error", () => {})
        if (options.greeting !== undefined) socket.write(options.greeting)
        socket.on("data", (d: Buffer) => {
          received.push(d)
          options.onData?.(d, socket)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const a = server.address()
        resume(Effect.succeed({ server, sockets, port: typeof a === "object" && a !== null ? a.port : 0, received }))
      })
    }),
    ({ server, sockets }) =>
      Effect.async<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      })
  )

/** An HTTP server on a free loopback port answering every request with `status` and `body`; the paths it was asked. */
const httpServer = (status: number, body: string): Effect.Effect<{ readonly port: number; readonly paths: Array<string> }, never, Scope.Scope> =>
  Effect.map(
    Effect.acquireRelease(
      Effect.async<{ readonly server: http.Server; readonly port: number; readonly paths: Array<string> }>((resume) => {
        const paths: Array<string> = []
        const server = http.createServer((req, res) => {
          paths.push(`${req.method} ${req.url}`)
          res.writeHead(status).end(body)
        })
        server.listen(0, "127.0.0.1", () => {
          const a = server.address()
          resume(Effect.succeed({ server, port: typeof a === "object" && a !== null ? a.port : 0, paths }))
        })
      }),
      ({ server }) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
    ),
    ({ paths, port }) => ({ port, paths })
  )

const probe = (side: "source" | "sink", kind: string, params: ConnectCheck.Params) =>
  Effect.either(ConnectCheck.probe(side, kind, params, "/nonexistent-work-root"))

/** A MySQL packet: 3-byte length, sequence 0, then `payload`. */
const packet = (payload: Buffer): Buffer => Buffer.concat([Buffer.from([payload.length & 0xff, payload.length >> 8, 0, 0]), payload])

describe("ConnectCheck.probe", () => {
  it.scopedLive("mysql and postgres: real servers that are up answer the probe", () =>
    Effect.gen(function*() {
      const [maria, pg] = yield* Effect.all([mariadbServer, postgresServer], { concurrency: 2 })
      expect(yield* probe("sink", "mysql", { endpoint: maria.endpoint })).toEqual(
        Either.right({ status: "ok", detail: `MySQL handshake from ${maria.endpoint}` })
      )
      expect(yield* probe("sink", "postgres", { endpoint: pg.endpoint })).toEqual(
        Either.right({ status: "ok", detail: `PostgreSQL answer from ${pg.endpoint}` })
      )
    }), 120_000)

  it.scopedLive("mysql: the server's handshake is ok; an error packet fails naming the server's message", () =>
    Effect.gen(function*() {
      const up = yield* tcpServer({ greeting: packet(Buffer.from([10, ...Buffer.from("8.0.36\0")])) })
      expect(yield* probe("sink", "mysql", { endpoint: `127.0.0.1:${up.port}` })).toEqual(
        Either.right({ status: "ok", detail: `MySQL handshake from 127.0.0.1:${up.port}` })
      )
      expect(up.received).toEqual([])
      const refusing = yield* tcpServer({ greeting: packet(Buffer.from([0xff, 0x6a, 0x04, ...Buffer.from("Host is not allowed")])) })
      const e = yield* probe("sink", "mysql", { endpoint: `127.0.0.1:${refusing.port}` })
      expect(Either.isLeft(e) && [e.left.code, e.left.detail]).toEqual([202, `127.0.0.1:${refusing.port}: refused: Host is not allowed`])
    }))

  it.scopedLive("postgres: an SSLRequest answered N is ok, and it is all that is sent", () =>
    Effect.gen(function*() {
      const up = yield* tcpServer({ onData: (_, socket) => socket.write("N") })
      expect(yield* probe("sink", "postgres", { endpoint: `127.0.0.1:${up.port}` })).toEqual(
        Either.right({ status: "ok", detail: `PostgreSQL answer from 127.0.0.1:${up.port}` })
      )
      expect(Buffer.concat(up.received)).toEqual(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]))
    }))

  it.scopedLive("a server that accepts and never answers is a TimeoutError (204) after connect_timeout_ms", () =>
    Effect.gen(function*() {
      const silent = yield* tcpServer({})
      const e = yield* probe("sink", "postgres", { endpoint: `127.0.0.1:${silent.port}`, connect_timeout_ms: 200 })
      expect(Either.isLeft(e) && [e.left.code, e.left.detail]).toEqual([204, `127.0.0.1:${silent.port}: no answer within 200 ms`])
    }))

  it.scopedLive("clickhouse: GET /ping answered 200 is ok, another status fails; http sinks take whatever status; victoriametrics asks /health", () =>
    Effect.gen(function*() {
      const ch = yield* httpServer(200, "Ok.\n")
      expect(yield* probe("sink", "clickhouse", { endpoint: `http://127.0.0.1:${ch.port}/` })).toEqual(
        Either.right({ status: "ok", detail: `GET http://127.0.0.1:${ch.port}/ping: HTTP 200` })
      )
      const broken = yield* httpServer(503, "")
      const e = yield* probe("sink", "clickhouse", { endpoint: `http://127.0.0.1:${broken.port}` })
      expect(Either.isLeft(e) && [e.left.code, e.left.detail]).toEqual([202, `http://127.0.0.1:${broken.port}/ping: HTTP 503`])
      const web = yield* httpServer(404, "")
      expect(yield* probe("sink", "http", { addr: "127.0.0.1", port: web.port, path: "/ingest" })).toEqual(
        Either.right({ status: "ok", detail: `HEAD http://127.0.0.1:${web.port}/ingest: HTTP 404` })
      )
      expect(web.paths).toEqual(["HEAD /ingest"])
      const vm = yield* httpServer(200, "OK")
      expect(yield* probe("sink", "victoriametrics", { insert_url: `http://127.0.0.1:${vm.port}/api/v1/import/prometheus` })).toEqual(
        Either.right({ status: "ok", detail: `GET http://127.0.0.1:${vm.port}/health: HTTP 200` })
      )
      expect(vm.paths).toEqual(["GET /health"])
    }))

  it.effect("memory and blackhole have nothing to reach; udp syslog and unknown kinds are skipped", () =>
    Effect.gen(function*() {
      expect(yield* probe("sink", "blackhole", {})).toEqual(Either.right({ status: "ok", detail: "nothing to connect to" }))
      expect(yield* probe("source", "memory", {})).toEqual(Either.right({ status: "ok", detail: "nothing to connect to" }))
      expect(yield* probe("sink", "syslog", { protocol: "udp" })).toEqual(Either.right({ status: "skipped", detail: "udp: no connection to check" }))
      expect(yield* probe("sink", "kafka", {})).toEqual(Either.right({ status: "skipped", detail: `no connection check for kind "kafka"` }))
    }))
})
