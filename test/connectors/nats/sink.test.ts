import { describe, expect, it } from "@effect/vitest"
import { connect } from "nats"
import { Effect, Option, Schedule } from "effect"
import * as Nats from "../../../src/connectors/nats/index.js"
import { SinkFactory } from "../../../src/index.js"
import { leakChecked } from "../tcp/harness.js"
import { natsServer } from "./server.js"

/** The payloads stored in `stream`, in stream order, read back with a plain client. */
const storedPayloads = (url: string, stream: string) =>
  Effect.promise(async () => {
    const nc = await connect({ servers: url })
    try {
      const jsm = await nc.jetstreamManager()
      const info = await jsm.streams.info(stream)
      const out: Array<string> = []
      for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
        const m = await jsm.streams.getMessage(stream, { seq })
        out.push(new TextDecoder().decode(m.data))
      }
      return out
    } finally {
      await nc.close()
    }
  })

const spec = (params: Record<string, unknown>): SinkFactory.ResolvedSinkSpec => ({
  group: "g",
  name: "out",
  kind: "nats",
  connectorId: "nats-sink",
  params: params as SinkFactory.ResolvedSinkSpec["params"],
  filter: Option.none()
})

const ctx = SinkFactory.buildCtx({ workRoot: "/nonexistent" })

describe("nats sink", () => {
  it.live("publishes batches with the stream's ack, in order, creating the stream", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* natsServer
      yield* Effect.scoped(Effect.gen(function*() {
        const { sink } = yield* Nats.NatsSink.factory.build(spec({ servers: server.url, stream: "ORD", create_stream: true }), ctx)
        yield* sink.sinkStrBatch(["a", "b", "ü"])
        yield* sink.sinkStr("d")
        yield* sink.sinkBytesBatch([new TextEncoder().encode("e")])
      }))
      expect(yield* storedPayloads(server.url, "ORD")).toEqual(["a", "b", "ü", "d", "e"])
    })))

  it.live("a missing stream without create_stream fails the build with 202 naming the stream", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* natsServer
      const error = yield* Effect.flip(Effect.scoped(Nats.NatsSink.factory.build(spec({ servers: server.url, stream: "NOPE" }), ctx)))
      expect(error._tag).toBe("SinkUvs")
      expect(error.code).toBe(202)
      expect(String(error)).toContain("\"NOPE\"")
      expect(String(error)).toContain("create_stream")
    })))

  it.live("a lost server fails the batch retryably (202), and publishing resumes after it restarts", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* natsServer
      const { sink } = yield* Nats.NatsSink.factory.build(spec({ servers: server.url, stream: "R", create_stream: true }), ctx)
      yield* sink.sinkStr("before")
      yield* server.stop
      yield* Effect.sleep("300 millis")
      const failed = yield* Effect.flip(sink.sinkStr("during"))
      expect(failed._tag).toBe("SinkUvs")
      expect(failed.code).toBe(202)
      yield* server.start
      yield* Effect.retry(sink.sinkStr("after"), Schedule.spaced("100 millis").pipe(Schedule.upTo("5 seconds")))
      expect(yield* storedPayloads(server.url, "R")).toEqual(["before", "after"])
    })))

  it.effect("bad params are ConfigErrors naming the param", () =>
    Effect.gen(function*() {
      for (const [params, path] of [
        [{ stream: "a.b" }, "params.stream"],
        [{ servers: "http://x", stream: "S" }, "params.servers"],
        [{ stream: "S", subject: "has space" }, "params.subject"],
        [{}, "params.stream"]
      ] as const) {
        const error = yield* Effect.flip(Nats.NatsSink.factory.validateSpec(spec(params)))
        expect(error._tag).toBe("ConfigError")
        expect(error.code).toBe(300)
        expect(String(error)).toContain(path)
      }
    }))
})
