import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import * as Syslog from "../../../src/connectors/syslog/index.js"
import type { ConfigError } from "../../../src/errors/config.js"
import { Tags } from "../../../src/index.js"
import { leakChecked, receiveN, startAcceptor } from "../tcp/harness.js"
import { makeCerts } from "./certs.js"

const decodeSource = Schema.decodeUnknownSync(Syslog.SourceParams)
const decodeSink = Schema.decodeUnknownSync(Syslog.SinkParams)

describe("syslog over TLS (RFC 5425)", () => {
  it.live("a TLS sink sends octet-counted messages to a TLS source (mutual TLS): they arrive parsed, in order", () =>
    leakChecked(Effect.gen(function*() {
      const certs = yield* makeCerts
      const { acceptor, source } = yield* Syslog.SyslogSource.make("secure", decodeSource({
        protocol: "tcp",
        port: 0,
        tls: { cert: certs.server.cert, key: certs.server.key, ca: certs.ca, client_auth: "require" }
      }))
      yield* startAcceptor(acceptor)
      const { sink } = yield* Syslog.SyslogSink.make(decodeSink({
        protocol: "tcp",
        port: acceptor.port,
        app: "tlsapp",
        tls: { ca: certs.ca, cert: certs.client.cert, key: certs.client.key }
      }), "host1")
      yield* sink.sinkStrBatch(["first", "second"])
      const got = yield* receiveN(source, 2)
      expect(got.map((e) => e.payload)).toEqual([expect.stringContaining("first"), expect.stringContaining("second")])
      expect(got.map((e) => Tags.getOrUndefined(e.tags, "app"))).toEqual(["tlsapp", "tlsapp"])
    })))

  it.live("a sink that does not trust the receiver's certificate fails its write with 301, not retryable", () =>
    leakChecked(Effect.gen(function*() {
      const certs = yield* makeCerts
      const { acceptor } = yield* Syslog.SyslogSource.make("secure", decodeSource({ protocol: "tcp", port: 0, tls: { cert: certs.foreign.cert, key: certs.foreign.key } }))
      yield* startAcceptor(acceptor)
      const { sink } = yield* Syslog.SyslogSink.make(decodeSink({ protocol: "tcp", port: acceptor.port, tls: { ca: certs.ca } }), "host1")
      const error = yield* Effect.flip(sink.sinkStr("never"))
      expect([error.code, error.retryable]).toEqual([301, false])
      expect(error.message).toContain("not signed by a trusted CA")
    })))

  it.live("tls with protocol = \"udp\" is a ConfigError naming params.tls, for the source and the sink", () =>
    leakChecked(Effect.gen(function*() {
      const certs = yield* makeCerts
      const source = (yield* Effect.flip(Syslog.SyslogSource.make("u", decodeSource({ protocol: "udp", port: 0, tls: { cert: certs.server.cert, key: certs.server.key } })))) as ConfigError
      expect([source._tag, source.path]).toEqual(["ConfigError", "params.tls"])
      expect(source.message).toContain(`syslog source u: tls needs protocol = "tcp"`)
      const sink = (yield* Effect.flip(Syslog.SyslogSink.make(decodeSink({ protocol: "udp", tls: { ca: certs.ca } }), "h"))) as ConfigError
      expect([sink._tag, sink.path]).toEqual(["ConfigError", "params.tls"])
    })))
})
