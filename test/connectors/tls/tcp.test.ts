import * as tls from "node:tls"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Either, Logger, Option, Schema } from "effect"
import * as Secrets from "../../../src/cli/secrets.js"
import type { ConfigError } from "../../../src/errors/config.js"
import * as Tcp from "../../../src/connectors/tcp/index.js"
import { leakChecked, receiveN, startAcceptor, text, eventually } from "../tcp/harness.js"
import { type Certs, makeCerts } from "./certs.js"

const decodeSource = Schema.decodeUnknownSync(Tcp.SourceParams)
const decodeSink = Schema.decodeUnknownSync(Tcp.SinkParams)

/** A TLS tcp source on a free port serving `cert`/`key`, with `extra` tls params; it reads until the Scope closes. */
const tlsSource = (server: { readonly cert: string; readonly key: string }, extra: Record<string, unknown> = {}) =>
  Effect.gen(function*() {
    const built = yield* Tcp.TcpSource.make("secure", decodeSource({ port: 0, tls: { cert: server.cert, key: server.key, ...extra } }))
    yield* startAcceptor(built.acceptor)
    return built
  })

/** A tcp sink to `port` with the `tls` table `table`. */
const tlsSink = (port: number, table: Record<string, unknown>) => Tcp.TcpSink.make(decodeSink({ port, tls: table }))

/** Writes `line` until the sink fails (a refusal that arrives after the handshake), for at most 5 s. */
const writeUntilFailure = (sink: { readonly sinkStr: (s: string) => Effect.Effect<void, { readonly code: number }> }) =>
  Effect.gen(function*() {
    for (let i = 0; i < 100; i++) {
      const result = yield* Effect.either(sink.sinkStr("x"))
      if (Either.isLeft(result)) return result.left
      yield* Effect.sleep(Duration.millis(50))
    }
    return yield* Effect.fail(new Error("the sink never failed"))
  })

describe("tcp over TLS", () => {
  it.live("a TLS sink trusting the CA writes to a TLS source: every line arrives, in order; a plain client is refused", () =>
    leakChecked(Effect.gen(function*() {
      const certs = yield* makeCerts
      const { acceptor, source } = yield* tlsSource(certs.server)
      const sink = yield* tlsSink(acceptor.port, { ca: certs.ca })
      yield* sink.sinkStrBatch(["one", "twö", "three"])
      const got = yield* receiveN(source, 3)
      expect(got.map(text)).toEqual(["one", "twö", "three"])
      // a client that does not speak TLS gets nothing in: its handshake fails, counted
      const plain = yield* Effect.either(Tcp.TcpSink.make(decodeSink({ port: acceptor.port })))
      if (Either.isRight(plain)) yield* Effect.ignore(plain.right.sinkStr("plain text"))
      yield* eventually(() => acceptor.stats().tlsRefused >= 1, "the plain handshake to be refused")
      expect(acceptor.stats().frames).toBe(3)
    })))

  it.live("a server certificate from another CA fails the build with 301, not retryable, naming params.tls.ca", () =>
    leakChecked(Effect.gen(function*() {
      const certs = yield* makeCerts
      const { acceptor } = yield* tlsSource(certs.foreign)
      const error = yield* Effect.flip(tlsSink(acceptor.port, { ca: certs.ca }))
      expect(error.code).toBe(301)
      expect(error.retryable).toBe(false)
      expect(error.message).toContain("not signed by a trusted CA (check params.tls.ca)")
      expect(error.message).toContain(`127.0.0.1:${acceptor.port}`)
    })))

  it.live("an expired server certificate fails the build with 301 CERT_HAS_EXPIRED, not retryable", () =>
    leakChecked(Effect.gen(function*() {
      const certs = yield* makeCerts
      const { acceptor } = yield* tlsSource(certs.expired)
      const error = yield* Effect.flip(tlsSink(acceptor.port, { ca: certs.ca }))
      expect(error.code).toBe(301)
      expect(error.retryable).toBe(false)
      expect(error.message).toContain("the server's certificate has expired (CERT_HAS_EXPIRED)")
    })))

  it.live("the server name is checked by default; server_name or verify_server_name = false (logged) accept another name", () =>
    leakChecked(Effect.gen(function*() {
      const certs = yield* makeCerts
      const { acceptor, source } = yield* tlsSource(certs.otherName)
      const mismatch = yield* Effect.flip(tlsSink(acceptor.port, { ca: certs.ca }))
      expect(mismatch.code).toBe(301)
      expect(mismatch.message).toContain("ERR_TLS_CERT_ALTNAME_INVALID")
      const named = yield* tlsSink(acceptor.port, { ca: certs.ca, server_name: "elsewhere.example" })
      yield* named.sinkStr("by name")
      const logs: Array<string> = []
      const logger = Logger.make(({ message }) => void logs.push(String(message)))
      const unchecked = yield* tlsSink(acceptor.port, { ca: certs.ca, verify_server_name: false }).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      yield* unchecked.sinkStr("unchecked")
      expect(logs.some((l) => l.includes("tcp sink: TLS server-name check is OFF (params.tls.verify_server_name = false)"))).toBe(true)
      expect((yield* receiveN(source, 2)).map(text).sort()).toEqual(["by name", "unchecked"])
      // the chain is still checked with the name check off
      const foreign = yield* tlsSource(certs.foreign)
      const untrusted = yield* Effect.flip(tlsSink(foreign.acceptor.port, { ca: certs.ca, verify_server_name: false }))
      expect(untrusted.code).toBe(301)
    })))

  it.live("mutual TLS: a client certificate of the CA (an encrypted key with its passphrase) gets in; none, or an expired one, is refused, counted and logged", () =>
    Effect.gen(function*() {
      const logs: Array<string> = []
      const logger = Logger.make(({ message }) => void logs.push(String(message)))
      yield* leakChecked(Effect.gen(function*() {
        const certs = yield* makeCerts
        const { acceptor, source } = yield* tlsSource(certs.server, { ca: certs.ca, client_auth: "require" })
        const good = yield* tlsSink(acceptor.port, { ca: certs.ca, cert: certs.client.cert, key: certs.encryptedClientKey, passphrase: certs.passphrase })
        yield* good.sinkStr("authenticated")
        expect((yield* receiveN(source, 1)).map(text)).toEqual(["authenticated"])
        for (const table of [{ ca: certs.ca }, { ca: certs.ca, cert: certs.expiredClient.cert, key: certs.expiredClient.key }]) {
          // Node's TLS server sends no alert for a refused certificate: the client sees its connection closed
          const refused = yield* Effect.either(tlsSink(acceptor.port, table))
          const error = Either.isLeft(refused) ? refused.left : yield* writeUntilFailure(refused.right)
          expect(error.code).toBe(202)
        }
        yield* eventually(() => acceptor.stats().tlsRefused === 2, "both refusals to be counted")
        expect(acceptor.stats().frames).toBe(1)
        expect(acceptor.stats().accepted).toBe(1)
      })).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      expect(logs.some((l) => l.includes(`tcp source secure: TLS handshake failed from 127.0.0.1: no client certificate (client_auth = "require")`))).toBe(true)
    }))

  it.live("mutual TLS with client_auth = \"request\": a client without a certificate gets in, one with an expired certificate does not", () =>
    leakChecked(Effect.gen(function*() {
      const certs = yield* makeCerts
      const { acceptor, source } = yield* tlsSource(certs.server, { ca: certs.ca, client_auth: "request" })
      const anonymous = yield* tlsSink(acceptor.port, { ca: certs.ca })
      yield* anonymous.sinkStr("anonymous")
      expect((yield* receiveN(source, 1)).map(text)).toEqual(["anonymous"])
      const expired = yield* Effect.either(tlsSink(acceptor.port, { ca: certs.ca, cert: certs.expiredClient.cert, key: certs.expiredClient.key }))
      if (Either.isRight(expired)) expect((yield* writeUntilFailure(expired.right)).code).toBe(202)
      yield* eventually(() => acceptor.stats().tlsRefused === 1, "the refusal to be counted")
    })))

  it.live("the source refuses an old client: min_version = TLSv1.3 against a TLSv1.2-only client", () =>
    leakChecked(Effect.gen(function*() {
      const certs = yield* makeCerts
      const { acceptor } = yield* tlsSource(certs.server, { min_version: "TLSv1.3" })
      const failed = yield* Effect.async<string>((resume) => {
        const socket = tls.connect({ host: "127.0.0.1", port: acceptor.port, maxVersion: "TLSv1.2", ca: [] })
        socket.on("error", (e: NodeJS.ErrnoException) => resume(Effect.succeed(e.code ?? e.message)))
        socket.on("secureConnect", () => resume(Effect.succeed("connected")))
        return Effect.sync(() => socket.destroy())
      })
      expect(failed).toMatch(/PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL/)
      yield* eventually(() => acceptor.stats().tlsRefused === 1, "the refusal to be counted")
    })))
})

describe("tls params", () => {
  const configErrorOf = (effect: Effect.Effect<unknown, unknown, never>) =>
    Effect.map(Effect.flip(effect), (e) => e as ConfigError)

  it.live("a missing file, a file without PEM, a wrong passphrase and a key that is not the certificate's are ConfigErrors naming the param", () =>
    leakChecked(Effect.gen(function*() {
      const certs: Certs = yield* makeCerts
      const missing = yield* configErrorOf(Effect.scoped(tlsSink(1, { ca: `${certs.dir}/nope.pem` })))
      expect(missing._tag).toBe("ConfigError")
      expect(missing.code).toBe(300)
      expect(missing.path).toBe("params.tls.ca")
      expect(missing.message).toContain("nope.pem")
      expect(missing.message).toContain("ENOENT")
      const notPem = yield* configErrorOf(Effect.scoped(tlsSink(1, { ca: `${certs.dir}/server.ext` })))
      expect(notPem.path).toBe("params.tls.ca")
      expect(notPem.message).toContain("holds no PEM block")
      const wrongPass = yield* configErrorOf(Effect.scoped(tlsSink(1, { cert: certs.client.cert, key: certs.encryptedClientKey, passphrase: "wrong" })))
      expect(wrongPass.path).toBe("params.tls.passphrase")
      expect(wrongPass.message).not.toContain("wrong")
      const mismatch = yield* configErrorOf(Effect.scoped(tlsSink(1, { cert: certs.client.cert, key: certs.server.key })))
      expect(mismatch.path).toBe("params.tls.key")
      const sourceKey = yield* configErrorOf(Effect.scoped(Tcp.TcpSource.make("s", decodeSource({ port: 0, tls: { cert: certs.server.cert, key: `${certs.dir}/gone.key` } }))))
      expect(sourceKey.path).toBe("params.tls.key")
      expect(sourceKey.message).toContain("tcp source s")
    })))

  it("the Schema refuses client_auth without a ca, and a client cert without its key, naming the key", () => {
    const noCa = Schema.decodeUnknownEither(Tcp.SourceParams)({ tls: { cert: "c", key: "k", client_auth: "require" } })
    expect(Either.isLeft(noCa) && String(noCa.left.message)).toContain("set tls.ca")
    const noKey = Schema.decodeUnknownEither(Tcp.SinkParams)({ tls: { cert: "c" } })
    expect(Either.isLeft(noKey) && String(noKey.left.message)).toContain("needs both tls.cert and tls.key")
    const off = decodeSink({ tls: { enabled: false } })
    expect(off.tls?.enabled).toBe(false)
  })
})

describe("tls secrets", () => {
  it("wpc masks tls.passphrase by the Schema (a nested table), and shows the paths", () => {
    const shown = Secrets.params(
      { port: 1, tls: { ca: "/etc/ca.pem", cert: "/etc/c.pem", key: "/etc/k.pem", passphrase: "hunter2" } },
      Option.some(Tcp.SinkParams)
    )
    expect(shown).toEqual({ port: 1, tls: { ca: "/etc/ca.pem", cert: "/etc/c.pem", key: "/etc/k.pem", passphrase: Secrets.mask } })
    const served = Secrets.params({ tls: { cert: "/c", key: "/k", passphrase: "hunter2" } }, Option.some(Tcp.SourceParams))
    expect(JSON.stringify(served)).not.toContain("hunter2")
  })
})
