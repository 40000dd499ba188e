import * as fs from "node:fs"
import * as https from "node:https"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema, type Scope } from "effect"
import * as Clickhouse from "../../../src/connectors/clickhouse/index.js"
import * as Http from "../../../src/connectors/http/index.js"
import * as MysqlClient from "../../../src/connectors/mysql/client.js"
import * as Tls from "../../../src/connectors/net/tls.js"
import * as VictoriaMetrics from "../../../src/connectors/victoriametrics/index.js"
import type { ConfigError } from "../../../src/errors/config.js"
import { leakChecked } from "../tcp/harness.js"
import { type Certs, makeCerts } from "./certs.js"

/** A real HTTPS server on a free loopback port answering every request `200` (`requests` counts the POSTs that arrived). */
const httpsServer = (certs: Certs): Effect.Effect<{ readonly port: number; readonly posts: () => number }, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: https.Server; readonly port: number; readonly posts: () => number }>((resume) => {
      let posts = 0
      const server = https.createServer({ cert: fs.readFileSync(certs.server.cert), key: fs.readFileSync(certs.server.key) }, (req, res) => {
        if (req.method === "POST") posts++
        req.resume()
        req.on("end", () => res.end("ok\n"))
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        resume(Effect.succeed({ server, port: typeof address === "object" && address !== null ? address.port : 0, posts: () => posts }))
      })
    }),
    ({ server }) => Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
  )

const clickhouse = (params: Record<string, unknown>) =>
  Clickhouse.ClickhouseSink.make(Schema.decodeUnknownSync(Clickhouse.SinkParams)({ table: "t", ...params }))

const victoria = (params: Record<string, unknown>) =>
  VictoriaMetrics.VictoriaMetricsSink.make(Schema.decodeUnknownSync(VictoriaMetrics.SinkParams)({ fields: ["v"], ...params }), "g", "vm")

describe("storage sinks over TLS, against a real HTTPS server", () => {
  it.live("clickhouse: with tls.ca an insert reaches the server; without it the insert fails with 301, not retryable", () =>
    leakChecked(Effect.gen(function*() {
      const certs = yield* makeCerts
      const server = yield* httpsServer(certs)
      const endpoint = `https://127.0.0.1:${server.port}`
      const trusted = yield* clickhouse({ endpoint, tls: { ca: certs.ca } })
      yield* trusted.sinkStrBatch(["{\"a\":1}"])
      expect(server.posts()).toBe(1)
      const untrusted = yield* clickhouse({ endpoint })
      const error = yield* Effect.flip(untrusted.sinkStrBatch(["{\"a\":2}"]))
      expect([error.code, error.retryable]).toEqual([301, false])
      expect(server.posts()).toBe(1)
    })))

  it.live("victoriametrics: with tls.ca the build's health probe passes; with another CA the build fails with 301, not retryable", () =>
    leakChecked(Effect.gen(function*() {
      const certs = yield* makeCerts
      const server = yield* httpsServer(certs)
      const insert_url = `https://127.0.0.1:${server.port}/api/v1/import`
      yield* victoria({ insert_url, tls: { ca: certs.ca } })
      const error = yield* Effect.flip(victoria({ insert_url, tls: { ca: certs.otherCa } }))
      expect([error.code, (error as { retryable?: boolean }).retryable]).toEqual([301, false])
      expect((error as Error).message).toContain("not signed by a trusted CA")
    })))

  it.live("tls on an http: endpoint is a ConfigError naming the endpoint param", () =>
    leakChecked(Effect.gen(function*() {
      const certs = yield* makeCerts
      const ch = (yield* Effect.flip(clickhouse({ endpoint: "http://127.0.0.1:8123", tls: { ca: certs.ca } }))) as ConfigError
      expect([ch._tag, ch.path]).toEqual(["ConfigError", "params.endpoint"])
      const vm = (yield* Effect.flip(victoria({ insert_url: "http://127.0.0.1:8428/api/v1/import", tls: { ca: certs.ca } }))) as ConfigError
      expect([vm._tag, vm.path]).toEqual(["ConfigError", "params.insert_url"])
    })))
})

describe("http sink over TLS, against a real HTTPS server", () => {
  it.live("with tls.ca a batch is POSTed over HTTPS; with another CA the write fails with 301, not retryable, and nothing arrives", () =>
    leakChecked(Effect.gen(function*() {
      const certs = yield* makeCerts
      const server = yield* httpsServer(certs)
      const sink = (tls: Record<string, unknown>) =>
        Http.HttpSink.make(Schema.decodeUnknownSync(Http.SinkParams)({ addr: "127.0.0.1", port: server.port, path: "/in", tls }))
      const trusted = yield* sink({ ca: certs.ca })
      yield* trusted.sinkStrBatch(["a", "b"])
      expect(server.posts()).toBe(1)
      const untrusted = yield* sink({ ca: certs.otherCa })
      const error = yield* Effect.flip(untrusted.sinkStrBatch(["c"]))
      expect([error.code, error.retryable]).toEqual([301, false])
      expect(error.message).toContain(`https://127.0.0.1:${server.port}/in`)
      expect(server.posts()).toBe(1)
    })))
})

describe("mysql TLS options", () => {
  it.live("reach mysql2's ssl: CA, client certificate, passphrase, minimum version, chain and name checked; server_name is refused", () =>
    leakChecked(Effect.gen(function*() {
      const certs = yield* makeCerts
      const tls = yield* MysqlClient.tlsOptions({ ...decodeTls({ ca: certs.ca, cert: certs.client.cert, key: certs.encryptedClientKey, passphrase: certs.passphrase }) }, "mysql sink")
      const ssl = MysqlClient.sslOf(tls!)
      expect(ssl).toMatchObject({ passphrase: certs.passphrase, minVersion: "TLSv1.2", rejectUnauthorized: true, verifyIdentity: true })
      expect(ssl.ca).toBe(fs.readFileSync(certs.ca, "latin1"))
      expect(ssl.cert).toBe(fs.readFileSync(certs.client.cert, "latin1"))
      const unchecked = yield* MysqlClient.tlsOptions(decodeTls({ ca: certs.ca, verify_server_name: false }), "mysql sink")
      expect(MysqlClient.sslOf(unchecked!).verifyIdentity).toBe(false)
      const named = (yield* Effect.flip(MysqlClient.tlsOptions(decodeTls({ ca: certs.ca, server_name: "db.example" }), "mysql sink"))) as ConfigError
      expect(named.path).toBe("params.tls.server_name")
    })))
})

/** A decoded `tls` table. */
const decodeTls = Schema.decodeUnknownSync(Tls.ClientTls)
