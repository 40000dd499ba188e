import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Schedule } from "effect"
import * as Redis from "../../../src/connectors/redis/index.js"
import { type DataSource, SeekPosition, type SourceBatch, SourceFactory, Tags } from "../../../src/index.js"
import { leakChecked } from "../tcp/harness.js"
import { type RedisServer, redisServer } from "./server.js"

/** Receives until `count` events arrived (fails after 5 s). */
const take = (source: DataSource.DataSource, count: number) =>
  Effect.gen(function*() {
    const out: Array<SourceBatch[number]> = []
    while (out.length < count) out.push(...(yield* source.receive))
    return out
  }).pipe(Effect.timeoutFail({ duration: Duration.seconds(5), onTimeout: () => new Error(`fewer than ${count} events arrived`) }))

/** Receives for `ms` and returns what arrived (expected: nothing). */
const drain = (source: DataSource.DataSource, ms: number) =>
  Effect.gen(function*() {
    const out: Array<SourceBatch[number]> = []
    const until = Date.now() + ms
    while (Date.now() < until) out.push(...(yield* source.receive))
    return out
  })

/** XADDs each payload as `{ payload: p }`; returns the entry ids. */
const add = (server: RedisServer, stream: string, payloads: ReadonlyArray<string | Buffer>) =>
  server.use(async (client) => {
    const ids: Array<string> = []
    for (const p of payloads) ids.push((await client.xadd(stream, "*", "payload", p))!)
    return ids
  })

/** How many entries of `group` are pending (delivered, not acked). */
const pendingCount = (server: RedisServer, stream: string, group: string) =>
  server.use(async (client) => {
    const summary = await client.xpending(stream, group)
    return Number((summary as [number])[0])
  })

const texts = (batch: SourceBatch) => batch.map((e) => e.payload)

const params = (server: RedisServer, extra: Partial<Redis.SourceParams> = {}): Redis.SourceParams => ({
  host: "127.0.0.1", port: server.port, db: 0, stream: "s", group: "g", batch: 16, block_ms: 200,
  claim_idle_ms: 30000, start_id: "0", create_group: true, field: "payload", ...extra
})

describe("redis source", () => {
  it.live("delivers in stream order with caps ack/seek/parallel; ack removes entries from the pending list", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* redisServer
      const ids = yield* add(server, "s", ["a", "b", "c", Buffer.from([0xff, 0x00, 0x41])])
      yield* server.use((client) => client.xadd("s", "*", "other", "x", "n", "1"))
      const source = yield* Redis.RedisSource.make("in", params(server), Tags.set(Tags.empty, "env", "t"))
      expect(source.caps).toEqual({ ack: true, seek: true, parallel: true })
      const events = yield* take(source, 5)
      expect(texts(events).slice(0, 3)).toEqual(["a", "b", "c"])
      expect([...(events[3]!.payload as Uint8Array)]).toEqual([0xff, 0x00, 0x41])
      // an entry without the field is delivered as the JSON of its fields, never dropped
      expect(JSON.parse(String(events[4]!.payload))).toEqual({ other: "x", n: "1" })
      expect(events.map((e) => e.eventId)).toEqual([1, 2, 3, 4, 5])
      expect(events.slice(0, 4).map((e) => e.ackToken)).toEqual(ids)
      expect(Tags.getOrUndefined(events[0]!.tags, "redis_stream")).toBe("s")
      expect(Tags.getOrUndefined(events[0]!.tags, "env")).toBe("t")
      expect(yield* pendingCount(server, "s", "g")).toBe(5)
      yield* source.ack(events[0]!.ackToken)
      expect(yield* pendingCount(server, "s", "g")).toBe(4)
      yield* source.ackBatch(events.slice(1).map((e) => e.ackToken))
      expect(yield* pendingCount(server, "s", "g")).toBe(0)
      const error = yield* Effect.flip(source.ack({ not: "an id" }))
      expect(error.code).toBe(500)
    })), 15000)

  it.live("a rebuilt consumer replays its unacked entries first; a 10 MB entry arrives whole", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* redisServer
      const big = "x".repeat(10 * 1024 * 1024)
      yield* add(server, "s", ["e1", "e2", "e3", "e4"])
      yield* Effect.scoped(Effect.gen(function*() {
        const source = yield* Redis.RedisSource.make("in", params(server, { consumer: "c1" }))
        const events = yield* take(source, 4)
        yield* source.ackBatch([events[0]!.ackToken, events[2]!.ackToken])
      }))
      yield* add(server, "s", ["e5", big])
      const source = yield* Redis.RedisSource.make("in", params(server, { consumer: "c1" }))
      const events = yield* take(source, 4)
      expect(texts(events).slice(0, 3)).toEqual(["e2", "e4", "e5"])
      expect(events[3]!.payload).toBe(big)
    })), 15000)

  it.live("two sources in one group share the entries: the union is everything, without overlap", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* redisServer
      const payloads = Array.from({ length: 200 }, (_, i) => `m${i}`)
      yield* add(server, "s", payloads)
      const one = yield* Redis.RedisSource.make("r1", params(server, { batch: 10 }))
      const two = yield* Redis.RedisSource.make("r2", params(server, { batch: 10 }))
      const seen: Array<string> = []
      const counts = [0, 0]
      const pull = (source: DataSource.DataSource, i: number) =>
        Effect.flatMap(source.receive, (batch) =>
          Effect.zipRight(source.ackBatch(batch.map((e) => e.ackToken)), Effect.sync(() => {
            seen.push(...batch.map((e) => String(e.payload)))
            counts[i]! += batch.length
          })))
      while (seen.length < 200) yield* Effect.zipRight(pull(one, 0), pull(two, 1)).pipe(Effect.timeout("10 seconds"))
      expect([...seen].sort()).toEqual([...payloads].sort())
      expect(counts[0]).toBeGreaterThan(0)
      expect(counts[1]).toBeGreaterThan(0)
      expect(yield* pendingCount(server, "s", "g")).toBe(0)
    })), 15000)

  it.live("entries a vanished consumer never acked are claimed by another after claim_idle_ms", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* redisServer
      yield* server.use((client) => client.xgroup("CREATE", "s", "g", "0", "MKSTREAM"))
      yield* add(server, "s", ["a", "b", "c"])
      // a consumer that read the entries and then crashed
      yield* server.use((client) => client.xreadgroup("GROUP", "g", "dead", "COUNT", 10, "STREAMS", "s", ">"))
      const source = yield* Redis.RedisSource.make("in", params(server, { consumer: "alive", claim_idle_ms: 200 }))
      const started = Date.now()
      const events = yield* take(source, 3)
      expect(Date.now() - started).toBeGreaterThanOrEqual(150)
      expect(texts(events)).toEqual(["a", "b", "c"])
      // held unacked past claim_idle_ms: the claim loop claims them again for this consumer, but never redelivers them
      expect(yield* drain(source, 600)).toEqual([])
      yield* source.ackBatch(events.map((e) => e.ackToken))
      expect(yield* pendingCount(server, "s", "g")).toBe(0)
    })), 15000)

  it.live("seek: Start replays, Token resumes at that entry, Time at the first entry added since, End skips to new ones", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* redisServer
      const ids = yield* add(server, "s", ["a", "b", "c"])
      yield* Effect.sleep("20 millis")
      const middle = new Date()
      yield* Effect.sleep("20 millis")
      yield* add(server, "s", ["d", "e"])
      const source = yield* Redis.RedisSource.make("in", params(server))
      expect(texts(yield* take(source, 5))).toEqual(["a", "b", "c", "d", "e"])
      yield* source.seek(SeekPosition.Start())
      expect(texts(yield* take(source, 5))).toEqual(["a", "b", "c", "d", "e"])
      yield* source.seek(SeekPosition.Token({ token: ids[1]! }))
      expect(texts(yield* take(source, 4))).toEqual(["b", "c", "d", "e"])
      yield* source.seek(SeekPosition.Time({ time: middle }))
      expect(texts(yield* take(source, 2))).toEqual(["d", "e"])
      yield* source.seek(SeekPosition.End())
      expect(yield* drain(source, 300)).toEqual([])
      yield* add(server, "s", ["f"])
      expect(texts(yield* take(source, 1))).toEqual(["f"])
      // seek dropped this consumer's pending entries; only "f" is pending now
      expect(yield* pendingCount(server, "s", "g")).toBe(1)
      const bad = yield* Effect.flip(source.seek(SeekPosition.Token({ token: "yesterday" })))
      expect(bad.code).toBe(500)
      expect(String(bad)).toContain("yesterday")
    })), 15000)

  it.live("a stopped server is SourceDisconnect (503); after a restart reading resumes, nothing lost or repeated", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* redisServer
      yield* add(server, "s", ["a"])
      const source = yield* Redis.RedisSource.make("in", params(server))
      // "a" is handed out and not acked yet when the server goes away: it must be neither lost nor repeated
      const [a] = yield* take(source, 1)
      yield* server.stop
      const error = yield* Effect.flip(Effect.repeat(source.receive, Schedule.spaced("20 millis").pipe(Schedule.upTo("5 seconds"))))
      expect(error._tag).toBe("SourceDisconnect")
      expect(error.code).toBe(503)
      expect(String(error)).toContain(`127.0.0.1:${server.port}/0`)
      yield* server.start
      yield* Effect.retry(add(server, "s", ["b", "c"]), Schedule.spaced("50 millis").pipe(Schedule.upTo("3 seconds")))
      const after = yield* Effect.retry(take(source, 2), Schedule.spaced("100 millis").pipe(Schedule.upTo("8 seconds")))
      expect(texts(after)).toEqual(["b", "c"])
      expect(yield* pendingCount(server, "s", "g")).toBe(3)
      yield* source.ackBatch([a!.ackToken, ...after.map((e) => e.ackToken)])
      expect(yield* pendingCount(server, "s", "g")).toBe(0)
    })), 20000)

  it.live("a deleted stream is created again with its group (create_group), and reading goes on", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* redisServer
      yield* add(server, "s", ["a"])
      const source = yield* Redis.RedisSource.make("in", params(server))
      expect(texts(yield* take(source, 1))).toEqual(["a"])
      yield* server.use((client) => client.del("s"))
      yield* add(server, "s", ["z"])
      const after = yield* Effect.retry(take(source, 1), Schedule.spaced("100 millis").pipe(Schedule.upTo("5 seconds")))
      expect(texts(after)).toEqual(["z"])
    })), 15000)

  it.live("closing deletes the consumer when it holds nothing pending, and keeps it otherwise", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* redisServer
      yield* add(server, "s", ["a", "b"])
      const consumers = server.use((client) => client.xinfo("CONSUMERS", "s", "g")).pipe(
        Effect.map((list) => (list as Array<Array<unknown>>).map((c) => String(c[1])))
      )
      yield* Effect.scoped(Effect.flatMap(Redis.RedisSource.make("in", params(server, { consumer: "tidy" })), (source) =>
        Effect.flatMap(take(source, 2), (events) => source.ackBatch(events.map((e) => e.ackToken)))))
      expect(yield* consumers).toEqual([])
      yield* add(server, "s", ["c"])
      yield* Effect.scoped(Effect.flatMap(Redis.RedisSource.make("in", params(server, { consumer: "holds" })), (source) => take(source, 1)))
      expect(yield* consumers).toEqual(["holds"])
    })), 15000)

  it.live("an unreachable server or a missing group fails the build with a coded error naming it", () =>
    leakChecked(Effect.gen(function*() {
      const server = yield* redisServer
      yield* server.use((client) => client.xadd("s", "*", "payload", "a"))
      const missing = yield* Effect.flip(Redis.RedisSource.make("in", params(server, { group: "nope", create_group: false })))
      expect(missing.code).toBe(500)
      expect(String(missing)).toContain("\"nope\"")
      expect(String(missing)).toContain("create_group")
      yield* server.stop
      const down = yield* Effect.flip(Redis.RedisSource.make("in", params(server)))
      expect(down._tag).toBe("SourceDisconnect")
      expect(down.code).toBe(503)
      expect(String(down)).toContain(`127.0.0.1:${server.port}/0`)
      expect(String(down)).toContain("group \"g\"")
    })), 15000)

  it.effect("bad params are ConfigErrors naming the param", () =>
    Effect.gen(function*() {
      for (const [p, path] of [
        [{ stream: "s" }, "params.group"],
        [{ group: "g" }, "params.stream"],
        [{ stream: "s", group: "g", batch: 0 }, "params.batch"],
        [{ stream: "s", group: "g", claim_idle_ms: "soon" }, "params.claim_idle_ms"],
        [{ stream: "s", group: "g", start_id: "latest" }, "params.start_id"],
        [{ stream: "s", group: "g", consumer: "a b" }, "params.consumer"],
        [{ stream: "s", group: "g", host: "" }, "params.host"]
      ] as const) {
        const spec: SourceFactory.ResolvedSourceSpec = { name: "in", kind: "redis", connectorId: "redis-src", params: p, tags: [] }
        const error = yield* Effect.flip(Redis.RedisSource.factory.validateSpec(spec))
        expect(error.code).toBe(300)
        expect(String(error)).toContain(path)
      }
    }))

  it.effect("seek positions map to group ids", () =>
    Effect.sync(() => {
      expect(Redis.RedisSource.seekId(SeekPosition.Start())).toBe("0")
      expect(Redis.RedisSource.seekId(SeekPosition.End())).toBe("$")
      expect(Redis.RedisSource.seekId(SeekPosition.Token({ token: "5-3" }))).toBe("5-2")
      expect(Redis.RedisSource.seekId(SeekPosition.Token({ token: "5-0" }))).toBe("4-18446744073709551615")
      expect(Redis.RedisSource.seekId(SeekPosition.Offset({ offset: 0 }))).toBe("0")
      expect(Redis.RedisSource.seekId(SeekPosition.Time({ time: new Date(1000) }))).toBe("999-18446744073709551615")
      expect(Redis.RedisSource.seekId(SeekPosition.Token({ token: "x-1" }))).toBeUndefined()
    }))
})
