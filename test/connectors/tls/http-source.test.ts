import * as fs from "node:fs"
import * as https from "node:https"
import * as zlib from "node:zlib"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Logger } from "effect"
import { ControlPlane } from "../../../src/index.js"
import { build, leakChecked, receiveN, request, text } from "../http/client.js"
import { eventually } from "../tcp/harness.js"
import { makeCerts } from "./certs.js"

/** An `http` source serving HTTPS with `tls`, started. */
const serveTls = (tls: Record<string, string>) =>
  Effect.gen(function*() {
    const { acceptor, handle, port } = yield* build({ tls })
    const plane = yield* ControlPlane.make
    yield* Effect.forkScoped(acceptor.acceptor.acceptConnection(yield* plane.subscribe))
    return { port, source: handle.source, acceptor: acceptor.acceptor as unknown as { readonly tlsRefused: () => number; readonly url: string } }
  })

/** An HTTPS POST of `body` to /ingest (status, or the client's error code). */
const post = (port: number, body: Buffer | string, options: https.RequestOptions = {}) =>
  Effect.async<number | string>((resume) => {
    const req = https.request({ host: "127.0.0.1", port, method: "POST", path: "/ingest", agent: false, ...options }, (res) => {
      res.resume()
      res.on("end", () => resume(Effect.succeed(res.statusCode ?? 0)))
    })
    req.on("error", (e: NodeJS.ErrnoException) => resume(Effect.succeed(e.code ?? e.message)))
    req.end(body)
    return Effect.sync(() => req.destroy())
  })

describe("http source over TLS", () => {
  it.live("serves HTTPS: a client trusting the CA posts (gzip too); a plain HTTP request gets nothing in", () =>
    leakChecked(Effect.gen(function*() {
      const certs = yield* makeCerts
      const { acceptor, port, source } = yield* serveTls({ cert: certs.server.cert, key: certs.server.key })
      expect(acceptor.url).toBe(`https://127.0.0.1:${port}/ingest`)
      const ca = fs.readFileSync(certs.ca)
      expect(yield* post(port, "a\nb\n", { ca })).toBe(202)
      expect(yield* post(port, zlib.gzipSync("c\n"), { ca, headers: { "content-encoding": "gzip" } })).toBe(202)
      expect((yield* receiveN(source, 3)).map(text)).toEqual(["a", "b", "c"])
      const plain = yield* Effect.either(request(port, { body: "plain\n" }))
      expect(plain._tag === "Left" || plain.right.status !== 202).toBe(true)
      expect(yield* post(port, "x\n", {})).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/)
      yield* eventually(() => acceptor.tlsRefused() >= 1, "the plain request's handshake to fail")
    })))

  it.live("mutual TLS: a client certificate of the CA posts; none, or an expired one, is closed, counted and logged", () =>
    Effect.gen(function*() {
      const logs: Array<string> = []
      const logger = Logger.make(({ message }) => void logs.push(String(message)))
      yield* leakChecked(Effect.gen(function*() {
        const certs = yield* makeCerts
        const { acceptor, port, source } = yield* serveTls({ cert: certs.server.cert, key: certs.server.key, ca: certs.ca, client_auth: "require" })
        const ca = fs.readFileSync(certs.ca)
        const client = { cert: fs.readFileSync(certs.client.cert), key: fs.readFileSync(certs.client.key) }
        expect(yield* post(port, "mutual\n", { ca, ...client })).toBe(202)
        expect((yield* receiveN(source, 1)).map(text)).toEqual(["mutual"])
        expect(yield* post(port, "anonymous\n", { ca })).not.toBe(202)
        const expired = { cert: fs.readFileSync(certs.expiredClient.cert), key: fs.readFileSync(certs.expiredClient.key) }
        expect(yield* post(port, "expired\n", { ca, ...expired })).not.toBe(202)
        yield* eventually(() => acceptor.tlsRefused() === 2, "both refusals to be counted")
      })).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
      expect(logs.some((l) => l.includes("http source web: TLS handshake failed from 127.0.0.1: no client certificate"))).toBe(true)
    }))
})
