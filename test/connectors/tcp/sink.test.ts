import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Option } from "effect"
import { ConfigError, ConnectorRegistry, DataRecord, ParamMap, SinkFactory } from "../../../src/index.js"
import * as Tcp from "../../../src/connectors/tcp/index.js"
import { collector, eventually, freePort, leakChecked } from "./harness.js"

const spec = (params: ParamMap.ParamMap): SinkFactory.ResolvedSinkSpec => ({
  group: "out",
  name: "net",
  kind: "tcp",
  connectorId: "tcp-sink",
  params,
  filter: Option.none()
})

const factory = Effect.flatMap(ConnectorRegistry.ConnectorRegistry, (r) => r.sinkFactory("tcp")).pipe(
  Effect.provide(ConnectorRegistry.fromConnectors(Tcp.layer))
)

const ctx = SinkFactory.buildCtx({ workRoot: "/nonexistent" })

const sinkOn = (port: number, params: ParamMap.ParamMap = {}) =>
  Effect.flatMap(factory, (f) => f.build(spec({ port, ...params }), ctx))

describe("tcp sink", () => {
  it.live("writes each batch as framed lines, in order; a batch succeeds once the socket accepted it", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* collector()
      const { sink } = yield* sinkOn(server.port)
      yield* sink.sinkStrBatch(["a", "héllo"])
      yield* sink.sinkStr("b")
      yield* sink.sinkBytesBatch([Uint8Array.from([0xff, 0x00]), Uint8Array.from([0x41])])
      yield* sink.sinkRecords([DataRecord.make([DataRecord.field("n", DataRecord.chars("one"))])])
      yield* eventually(() => server.received().toString("latin1").endsWith("}\n"), "everything to arrive")
      const got = server.received()
      expect(got.subarray(0, 12)).toEqual(Buffer.concat([Buffer.from("a\nhéllo\nb\n"), Buffer.from([0xff])]))
      expect(got.subarray(11).toString("latin1").split("\n").slice(0, 2)).toEqual(["\u00ff\u0000", "A"])
      expect(got.toString("utf8").trimEnd().split("\n").at(-1)).toMatch(/^\{.*"n".*\}$/)
    })))

  it.live("octet-counted framing prefixes each payload with its length in bytes", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* collector()
      const { sink } = yield* sinkOn(server.port, { framing: "octet-counted" })
      yield* sink.sinkStrBatch(["<13>one", "two\nlines", "é"])
      yield* eventually(() => server.received().length === 24, "three frames")
      expect(server.received().toString("utf8")).toBe("7 <13>one9 two\nlines2 é")
    })))

  it.live("a server that is not there fails the build with SinkUvs NetworkError (202, retryable) naming addr:port", () =>
    leakChecked(Effect.gen(function*() {
      const port = yield* freePort
      const error = yield* Effect.flip(Effect.scoped(sinkOn(port)))
      expect(error._tag).toBe("SinkUvs")
      expect(error.code).toBe(202)
      expect(error.retryable).toBe(true)
      expect(error.message).toContain(`cannot connect to 127.0.0.1:${port}: ECONNREFUSED`)
    })))

  it.live("a lost connection fails writes with 202 (retryable) until reconnect opens a new one", () =>
    leakChecked(Effect.gen(function*() {
      const first = yield* collector()
      const port = first.port
      const { sink } = yield* sinkOn(port)
      yield* sink.sinkStr("before")
      yield* eventually(() => first.received().toString() === "before\n", "the first line")
      yield* first.kill
      // the loss shows on the next writes (at once, or after one write the kernel still took)
      let failure: unknown
      for (let i = 0; i < 100 && failure === undefined; i++) {
        const exit = yield* Effect.exit(sink.sinkStr(`lost ${i}`))
        if (Exit.isFailure(exit)) failure = exit.cause
        else yield* Effect.sleep(10)
      }
      const lost = yield* Effect.flip(sink.sinkStrBatch(["still lost"]))
      expect(lost._tag).toBe("SinkUvs")
      expect(lost.code).toBe(202)
      expect(lost.retryable).toBe(true)
      expect(lost.message).toContain(`connection to 127.0.0.1:${port} lost`)
      // reconnect while the server is down fails the same way
      const down = yield* Effect.flip(sink.reconnect)
      expect(down.code).toBe(202)
      expect(down.message).toContain("ECONNREFUSED")
      // the server comes back on the same port
      const second = yield* collector(port)
      yield* sink.reconnect
      yield* sink.sinkStrBatch(["after", "reconnect"])
      yield* eventually(() => second.received().toString() === "after\nreconnect\n", "the lines after reconnect")
    })))

  it.live("stop ends the connection gracefully; writes after it fail with 'sink stopped'", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* collector()
      const { sink } = yield* sinkOn(server.port)
      yield* sink.sinkStrBatch(["last", "words"])
      yield* sink.stop
      yield* eventually(() => server.ended() === 1, "the server to see the end")
      expect(server.received().toString()).toBe("last\nwords\n")
      const after = yield* Effect.flip(sink.sinkStr("x"))
      expect(after.code).toBe(500)
      expect(after.message).toContain("sink stopped")
      yield* sink.stop // idempotent
    })))

  it.live("closing the build Scope closes the connection", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* collector()
      yield* Effect.scoped(Effect.flatMap(sinkOn(server.port), ({ sink }) => sink.sinkStr("x")))
      yield* eventually(() => server.connections() === 0, "the connection to close")
    })))

  it.effect("bad params are ConfigErrors naming the param", () =>
    Effect.gen(function*() {
      const f = yield* factory
      for (
        const [p, path] of [
          [{ port: 0 }, "params.port"],
          [{ framing: "json" }, "params.framing"],
          [{ connect_timeout_ms: 0 }, "params.connect_timeout_ms"]
        ] as const
      ) {
        const e = yield* Effect.flip(f.validateSpec(spec(p)))
        expect(e).toBeInstanceOf(ConfigError)
        expect(e.path).toBe(path)
      }
    }))
})
