import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Option } from "effect"
import * as Nats from "../../../src/connectors/nats/index.js"
import * as Redis from "../../../src/connectors/redis/index.js"
import { SinkFactory, type SourceFactory } from "../../../src/index.js"
import { leakChecked } from "../tcp/harness.js"
import { makeCerts } from "./certs.js"
import { natsTlsServer, redisTlsServer } from "./servers.js"

const ctx = SinkFactory.buildCtx({ workRoot: "/nonexistent" })

const sourceSpec = (kind: "nats" | "redis", params: Record<string, unknown>): SourceFactory.ResolvedSourceSpec => ({
  name: "in",
  kind,
  connectorId: `${kind}-src`,
  params: (kind === "nats" ? { stream: "S", durable: "d", ...params } : { stream: "s", group: "g", block_ms: 100, ...params }) as SourceFactory.ResolvedSourceSpec["params"],
  tags: []
})

const sinkSpec = (kind: "nats" | "redis", params: Record<string, unknown>): SinkFactory.ResolvedSinkSpec => ({
  group: "g",
  name: "out",
  kind,
  connectorId: `${kind}-sink`,
  params: (kind === "nats" ? { stream: "S", create_stream: true, ...params } : { stream: "s", ...params }) as SinkFactory.ResolvedSinkSpec["params"],
  filter: Option.none()
})

const factories = {
  nats: { sink: Nats.NatsSink.factory, source: Nats.NatsSource.factory },
  redis: { sink: Redis.RedisSink.factory, source: Redis.RedisSource.factory }
} as const

/** A sink built from `params` writes `payloads`, then a source built from the same params reads them back. */
const roundTrip = (kind: "nats" | "redis", params: Record<string, unknown>, payloads: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    yield* Effect.scoped(Effect.gen(function*() {
      const { sink } = yield* factories[kind].sink.build(sinkSpec(kind, params), ctx)
      yield* sink.sinkStrBatch(payloads)
    }))
    return yield* Effect.scoped(Effect.gen(function*() {
      const built = yield* factories[kind].source.build(sourceSpec(kind, params), { workRoot: "/nonexistent" })
      const source = built.sources[0]!.source
      const out: Array<unknown> = []
      while (out.length < payloads.length) out.push(...(yield* source.receive).map((e) => e.payload))
      return out
    }).pipe(Effect.timeout(Duration.seconds(10))))
  })

/**
 * The sink's and the source's build failures with `params`: each must come back (a certificate failure
 * is not retried forever: 15 s is far more than one attempt takes), not retryable.
 */
const buildFailures = (kind: "nats" | "redis", params: Record<string, unknown>) =>
  Effect.gen(function*() {
    const sink = yield* Effect.flip(Effect.scoped(factories[kind].sink.build(sinkSpec(kind, params), ctx))).pipe(
      Effect.timeoutFail({ duration: Duration.seconds(15), onTimeout: () => new Error(`the ${kind} sink build did not fail`) })
    )
    const source = yield* Effect.flip(Effect.scoped(factories[kind].source.build(sourceSpec(kind, params), { workRoot: "/x" }))).pipe(
      Effect.timeoutFail({ duration: Duration.seconds(15), onTimeout: () => new Error(`the ${kind} source build did not fail`) })
    )
    return { sink, source }
  })

const targets = [
  { kind: "nats" as const, start: natsTlsServer, params: (port: number) => ({ servers: `nats://127.0.0.1:${port}` }) },
  { kind: "redis" as const, start: redisTlsServer, params: (port: number) => ({ port }) }
]

describe.each(targets)("$kind over TLS, against a real server", ({ kind, params, start }) => {
  it.live("trusting the server's CA, a sink writes and a source reads", () =>
    leakChecked(Effect.gen(function*() {
      const certs = yield* makeCerts
      const server = yield* start({ ...certs.server, ca: certs.ca, verifyClients: false })
      expect(yield* roundTrip(kind, { ...params(server.port), tls: { ca: certs.ca } }, ["a", "b"])).toEqual(["a", "b"])
    })))

  it.live("a server certificate from another CA fails both builds, not retryable, naming params.tls.ca", () =>
    leakChecked(Effect.gen(function*() {
      const certs = yield* makeCerts
      const server = yield* start({ ...certs.foreign, ca: certs.ca, verifyClients: false })
      const { sink, source } = yield* buildFailures(kind, { ...params(server.port), tls: { ca: certs.ca } })
      expect([sink.code, sink.retryable, source.code, source.retryable]).toEqual([301, false, 500, false])
      for (const e of [sink, source]) expect(e.message).toContain("TLS: the server's certificate is not signed by a trusted CA (check params.tls.ca)")
    })))

  it.live("an expired server certificate fails both builds with CERT_HAS_EXPIRED, not retryable", () =>
    leakChecked(Effect.gen(function*() {
      const certs = yield* makeCerts
      const server = yield* start({ ...certs.expired, ca: certs.ca, verifyClients: false })
      const { sink, source } = yield* buildFailures(kind, { ...params(server.port), tls: { ca: certs.ca } })
      expect([sink.code, sink.retryable, source.code, source.retryable]).toEqual([301, false, 500, false])
      for (const e of [sink, source]) expect(e.message).toContain("(CERT_HAS_EXPIRED)")
    })))

  it.live("mutual TLS: the client certificate (encrypted key, passphrase) gets in; without one, or with an expired one, both builds fail, not retryable", () =>
    leakChecked(Effect.gen(function*() {
      const certs = yield* makeCerts
      const server = yield* start({ ...certs.server, ca: certs.ca, verifyClients: true })
      const client = { cert: certs.client.cert, key: certs.encryptedClientKey, passphrase: certs.passphrase }
      expect(yield* roundTrip(kind, { ...params(server.port), tls: { ca: certs.ca, ...client } }, ["m"])).toEqual(["m"])
      for (const tls of [{ ca: certs.ca }, { ca: certs.ca, ...certs.expiredClient }]) {
        const { sink, source } = yield* buildFailures(kind, { ...params(server.port), tls })
        expect([sink.code, sink.retryable, source.code, source.retryable]).toEqual([301, false, 500, false])
        for (const e of [sink, source]) expect(e.message).toMatch(/TLS: the server (requires a|refused the) client certificate|TLS: the server refused the handshake \(does it require a client certificate/)
        expect(sink.message).not.toContain(certs.passphrase)
      }
    })))
})
