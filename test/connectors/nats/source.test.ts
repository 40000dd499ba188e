import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Schedule } from "effect"
import * as Nats from "../../../src/connectors/nats/index.js"
import { type DataSource, SeekPosition, type SourceBatch, SourceFactory } from "../../../src/index.js"
import { leakChecked } from "../tcp/harness.js"
import { natsServer } from "./server.js"

/** Receives until `count` events arrived (fails after 5 s). */
const take = (source: DataSource.DataSource, count: number) =>
  Effect.gen(function*() {
    const out: Array<SourceBatch[number]> = []
    while (out.length < count) out.push(...(yield* source.receive))
    return out
  }).pipe(Effect.timeoutFail({ duration: Duration.seconds(5), onTimeout: () => new Error(`fewer than ${count} events arrived`) }))

/** Publishes `payloads` to `<stream>.events` through the connector's own sink. */
const publish = (url: string, stream: string, payloads: ReadonlyArray<string>) =>
  Effect.scoped(Effect.flatMap(Nats.NatsSink.make({ servers: url, stream, create_stream: true }), (sink) => sink.sinkStrBatch(payloads)))

const texts = (batch: SourceBatch) => batch.map((e) => e.payload)

const params = (url: string, extra: Record<string, unknown> = {}) =>
  ({ servers: url, stream: "S", durable: "d", create_stream: true, batch: 16, expires_ms: 1000, ack_wait_ms: 30000, max_ack_pending: 1000, deliver_policy: "all", ...extra }) as const

describe("nats source", () => {
  it.live("delivers in stream order with caps ack/seek/parallel; unacked messages are redelivered after ack_wait", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* natsServer
      yield* publish(server.url, "S", ["a", "b", "c"])
      yield* Effect.scoped(Effect.gen(function*() {
        // ack_wait leaves room for a loaded machine: a, b, c must be acked (or not) before it runs out
        const source = yield* Nats.NatsSource.make("in", { ...params(server.url), ack_wait_ms: 2500 })
        expect(source.caps).toEqual({ ack: true, seek: true, parallel: true })
        const first = yield* take(source, 3)
        expect(texts(first)).toEqual(["a", "b", "c"])
        expect(first.map((e) => e.eventId)).toEqual([1, 2, 3])
        yield* source.ackBatch([first[0]!.ackToken, first[2]!.ackToken])
        const again = yield* take(source, 1)
        expect(texts(again)).toEqual(["b"])
        yield* source.ack(again[0]!.ackToken)
        const nothing = yield* source.receive.pipe(Effect.zipRight(Effect.sleep("2700 millis")), Effect.zipRight(source.receive))
        expect(nothing).toEqual([])
      }))
    })), 20000)

  it.live("two replicas with the same durable share the stream: each message goes to exactly one", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* natsServer
      const payloads = Array.from({ length: 200 }, (_, i) => `m${i}`)
      yield* publish(server.url, "S", payloads)
      const one = yield* Nats.NatsSource.make("r1", { ...params(server.url), batch: 10 })
      const two = yield* Nats.NatsSource.make("r2", { ...params(server.url), batch: 10 })
      const seen: Array<string> = []
      const pull = (source: DataSource.DataSource) =>
        Effect.flatMap(source.receive, (batch) =>
          Effect.zipRight(source.ackBatch(batch.map((e) => e.ackToken)), Effect.sync(() => seen.push(...batch.map((e) => String(e.payload))))))
      const counts = [0, 0]
      yield* Effect.gen(function*() {
        while (seen.length < 200) {
          const before = seen.length
          yield* pull(one)
          counts[0]! += seen.length - before
          const mid = seen.length
          yield* pull(two)
          counts[1]! += seen.length - mid
        }
      }).pipe(Effect.timeout("10 seconds"))
      expect([...seen].sort()).toEqual([...payloads].sort())
      expect(counts[0]).toBeGreaterThan(0)
      expect(counts[1]).toBeGreaterThan(0)
    })), 15000)

  it.live("seek to a stream sequence, to a time, to the start and the end", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* natsServer
      yield* publish(server.url, "S", ["a", "b", "c"])
      yield* Effect.sleep("50 millis")
      const middle = new Date()
      yield* Effect.sleep("50 millis")
      yield* publish(server.url, "S", ["d", "e"])
      const source = yield* Nats.NatsSource.make("in", params(server.url))
      expect(texts(yield* take(source, 5))).toEqual(["a", "b", "c", "d", "e"])
      yield* source.seek(SeekPosition.Offset({ offset: 4 }))
      expect(texts(yield* take(source, 2))).toEqual(["d", "e"])
      yield* source.seek(SeekPosition.Time({ time: middle }))
      expect(texts(yield* take(source, 2))).toEqual(["d", "e"])
      yield* source.seek(SeekPosition.Start())
      expect(texts(yield* take(source, 5))).toEqual(["a", "b", "c", "d", "e"])
      yield* source.seek(SeekPosition.End())
      yield* publish(server.url, "S", ["f"])
      expect(texts(yield* take(source, 1))).toEqual(["f"])
    })), 15000)

  it.live("a stopped server is SourceDisconnect (503); receiving resumes after it restarts", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* natsServer
      yield* publish(server.url, "S", ["a"])
      const source = yield* Nats.NatsSource.make("in", params(server.url))
      const [a] = yield* take(source, 1)
      yield* source.ack(a!.ackToken)
      yield* server.stop
      const error = yield* Effect.flip(Effect.repeat(source.receive, Schedule.spaced("50 millis").pipe(Schedule.upTo("5 seconds"))))
      expect(error._tag).toBe("SourceDisconnect")
      expect(error.code).toBe(503)
      yield* server.start
      yield* publish(server.url, "S", ["b"])
      const after = yield* Effect.retry(take(source, 1), Schedule.spaced("100 millis").pipe(Schedule.upTo("8 seconds")))
      expect(texts(after)).toEqual(["b"])
    })), 20000)

  it.effect("bad params are ConfigErrors naming the param", () =>
    Effect.gen(function*() {
      for (const [p, path] of [
        [{ stream: "S" }, "params.durable"],
        [{ stream: "S", durable: "d", batch: 0 }, "params.batch"],
        [{ stream: "S", durable: "d", expires_ms: 10 }, "params.expires_ms"],
        [{ stream: "S", durable: "d", deliver_policy: "sometimes" }, "params.deliver_policy"],
        [{ stream: "S", durable: "d.x" }, "params.durable"]
      ] as const) {
        const spec: SourceFactory.ResolvedSourceSpec = { name: "in", kind: "nats", connectorId: "nats-src", params: p, tags: [] }
        const error = yield* Effect.flip(Nats.NatsSource.factory.validateSpec(spec))
        expect(error.code).toBe(300)
        expect(String(error)).toContain(path)
      }
    }))

  it.effect("URL form maps to params; unknown query keys are refused", () =>
    Effect.gen(function*() {
      expect(yield* Nats.adapter.urlToParams("nats://h:4333/ORD?durable=x&create_stream=true")).toEqual({
        servers: "nats://h:4333", stream: "ORD", durable: "x", create_stream: true
      })
      const error = yield* Effect.flip(Nats.adapter.urlToParams("nats://h:4333/ORD?colour=red"))
      expect(String(error)).toContain("url.query.colour")
    }))
})
