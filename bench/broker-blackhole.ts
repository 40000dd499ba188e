/**
 * nats -> blackhole and redis -> blackhole: a real broker, one stream of `events` 200-byte payloads,
 * read by `processes` worker processes sharing one durable consumer (nats) or consumer group (redis),
 * each into a counting sink. The engine workers run the `nats`/`redis` source into `blackhole`; the
 * baseline workers are hand-written client loops (fetch/XREADGROUP, count, ack). Reported: the
 * events/s of all workers together (first event read to last event written, over all of them) and
 * the largest worker's peak RSS.
 *
 * usage: node --import tsx bench/broker-blackhole.ts nats|redis engine|baseline [events] [processes]
 */
import { execFile } from "node:child_process"
import { Effect, Option, type Scope } from "effect"
import { Redis } from "ioredis"
import { AckPolicy, connect, type JsMsg } from "nats"
import * as Builtins from "../src/connectors/builtins.js"
import { RawData, SourceEvent, Tags } from "../src/index.js"
import * as Engine from "../src/runtime/engine.js"
import type { EngineOptions } from "../src/runtime/pipeline.js"
import { natsServer } from "../test/connectors/nats/server.js"
import { redisServer } from "../test/connectors/redis/server.js"

const payloadBytes = 200
const batch = 1024
/** Extra node flags for the workers (e.g. `--cpu-prof`), from `WORKER_NODE_ARGS`. */
const workerNodeArgs = (process.env["WORKER_NODE_ARGS"] ?? "").split(" ").filter((a) => a !== "")

/** A worker ends once it has read something and then nothing for this long. */
const idleMs = 1500

/** What one worker measured. */
interface WorkerResult {
  readonly events: number
  readonly bytes: number
  /** Epoch ms of its first event and of its last one written. */
  readonly first: number
  readonly last: number
  readonly peak_rss_mb: number
}

/** A broker the bench can start, fill and read. */
interface Broker {
  /** Starts a server in the current Scope; its URL. */
  readonly start: Effect.Effect<string, unknown, Scope.Scope>
  /** Writes `events` payloads to the stream and prepares the shared consumer. */
  readonly fill: (url: string, events: number) => Promise<void>
  /** The engine source's params. */
  readonly sourceParams: (url: string) => Record<string, string | number | boolean>
  /** The hand-written reader: reads and acks until idle. */
  readonly baseline: (url: string) => Promise<WorkerResult>
}

const rssMb = () => Math.round(process.resourceUsage().maxRSS / 1024)

const nats: Broker = {
  start: Effect.map(natsServer, (s) => s.url),
  fill: async (url, events) => {
    const nc = await connect({ servers: url })
    const jsm = await nc.jetstreamManager()
    await jsm.streams.add({ name: "BENCH", subjects: ["BENCH.>"] })
    const js = nc.jetstream()
    const payload = new TextEncoder().encode("x".repeat(payloadBytes))
    for (let i = 0; i < events; i += 5000) {
      await Promise.all(Array.from({ length: Math.min(5000, events - i) }, () => js.publish("BENCH.events", payload)))
    }
    await nc.close()
  },
  sourceParams: (url) => ({ servers: url, stream: "BENCH", durable: "bench", batch }),
  baseline: async (url) => {
    const nc = await connect({ servers: url })
    const jsm = await nc.jetstreamManager()
    await jsm.consumers.info("BENCH", "bench").catch(() =>
      jsm.consumers.add("BENCH", { durable_name: "bench", ack_policy: AckPolicy.Explicit, max_ack_pending: 100_000 })
    )
    const consumer = await nc.jetstream().consumers.get("BENCH", "bench")
    const tags = Tags.set(Tags.empty, "nats_subject", "BENCH.events")
    let events = 0
    let bytes = 0
    let first = 0
    let last = 0
    for (;;) {
      const messages = await consumer.fetch({ max_messages: batch, expires: idleMs })
      // the same events the source builds (stream sequence, decoded text), acked once counted
      const got: Array<SourceEvent.SourceEvent> = []
      for await (const m of messages) {
        if (first === 0) first = Date.now()
        got.push(new SourceEvent.SourceEvent({ eventId: m.seq, srcKey: "in", payload: RawData.fromBytesPreferText(m.data), tags, ackToken: m }))
      }
      for (const e of got) {
        bytes += RawData.length(e.payload)
        ;(e.ackToken as JsMsg).ack()
      }
      const n = got.length
      events += n
      if (n > 0) last = Date.now()
      else if (events > 0) break
    }
    await nc.flush()
    await nc.close()
    return { events, bytes, first, last, peak_rss_mb: rssMb() }
  }
}

const redis: Broker = {
  start: Effect.map(redisServer, (s) => s.url),
  fill: async (url, events) => {
    const client = new Redis(url)
    const payload = "x".repeat(payloadBytes)
    for (let i = 0; i < events; i += 5000) {
      const pipeline = client.pipeline()
      for (let j = i; j < Math.min(events, i + 5000); j++) pipeline.xadd("BENCH", "*", "payload", payload)
      await pipeline.exec()
    }
    await client.xgroup("CREATE", "BENCH", "bench", "0")
    client.disconnect()
  },
  sourceParams: (url) => {
    const u = new URL(url)
    return { host: u.hostname, port: Number(u.port), stream: "BENCH", group: "bench", batch, create_group: false }
  },
  baseline: async (url) => {
    const client = new Redis(url)
    const tags = Tags.set(Tags.empty, "redis_stream", "BENCH")
    let events = 0
    let bytes = 0
    let first = 0
    let last = 0
    let eventId = 0
    const consumer = `baseline-${process.pid}`
    for (;;) {
      // the same events the source builds (a counter as eventId, the field's value as text), one XACK per batch
      const reply = (await client.callBuffer("XREADGROUP", ["GROUP", "bench", consumer, "COUNT", batch, "BLOCK", idleMs, "STREAMS", "BENCH", ">"])) as
        | Array<[Buffer, Array<[Buffer, Array<Buffer>]>]>
        | null
      const entries = reply?.[0]?.[1] ?? []
      if (entries.length === 0) {
        if (events > 0) break
        continue
      }
      if (first === 0) first = Date.now()
      const got = entries.map(([id, fields]) =>
        new SourceEvent.SourceEvent({ eventId: ++eventId, srcKey: "in", payload: RawData.fromBytesPreferText(new Uint8Array(fields[1]!)), tags, ackToken: id.toString() })
      )
      for (const e of got) bytes += RawData.length(e.payload)
      await client.xack("BENCH", "bench", ...got.map((e) => e.ackToken as string))
      events += got.length
      last = Date.now()
    }
    client.disconnect()
    return { events, bytes, first, last, peak_rss_mb: rssMb() }
  }
}

const brokers: Record<string, Broker> = { nats, redis }

/** One engine worker: the broker's source into `blackhole`, stopped once idle. */
const engineWorker = (broker: Broker, url: string): Promise<WorkerResult> => {
  let first = 0
  let last = 0
  let written = 0
  let bytes = 0
  const program = Engine.runPipeline({
    workRoot: "/tmp",
    sources: [{ spec: { name: "in", kind: kindOf(broker), connectorId: `${kindOf(broker)}-src`, params: broker.sourceParams(url), tags: [] }, enabled: true }],
    groups: [{
      name: "bench",
      filter: Option.none(),
      sinks: [{ spec: { group: "bench", name: "hole", kind: "blackhole", connectorId: "blackhole-sink", params: {}, filter: Option.none() }, replicaCnt: 1, rateLimitRps: 0 }]
    }]
  }, JSON.parse(process.env["ENGINE_OPTIONS"] ?? "{}") as Partial<EngineOptions>, (engine) =>
    Effect.gen(function*() {
      for (;;) {
        yield* Effect.sleep("10 millis")
        const p = yield* engine.progress
        if (p.eventsIn > 0 && first === 0) first = Date.now()
        if (p.written !== written) {
          written = p.written
          bytes = p.bytesIn
          last = Date.now()
        } else if (written > 0 && Date.now() - last > idleMs) return yield* engine.stop
      }
    }).pipe(Effect.forkScoped, Effect.asVoid))
  return Effect.runPromise(program.pipe(Effect.provide(Builtins.layer))).then(() => ({ events: written, bytes, first, last, peak_rss_mb: rssMb() }))
}

const kindOf = (broker: Broker) => Object.entries(brokers).find(([, b]) => b === broker)![0]

/** Runs `processes` workers against a fresh, filled server and prints the aggregate as a JSON line. */
const coordinate = (kind: string, impl: string, events: number, processes: number) =>
  Effect.scoped(Effect.gen(function*() {
    const broker = brokers[kind]!
    const url = yield* broker.start
    yield* Effect.promise(() => broker.fill(url, events))
    const results = yield* Effect.forEach(Array.from({ length: processes }), () =>
      Effect.async<WorkerResult, Error>((resume) => {
        execFile(process.execPath, [...workerNodeArgs, ...(import.meta.filename.endsWith(".ts") ? ["--import", "tsx"] : []), import.meta.filename, "worker", kind, impl, url], { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
          if (error !== null) resume(Effect.fail(new Error(`${impl} worker failed: ${error.message}\n${stderr}`)))
          else resume(Effect.succeed(JSON.parse(stdout.trim().split("\n").pop()!) as WorkerResult))
        })
      }), { concurrency: "unbounded" })
    const total = results.reduce((n, r) => n + r.events, 0)
    if (total < events) return yield* Effect.fail(new Error(`${impl}: ${total} of ${events} events read`))
    const seconds = (Math.max(...results.map((r) => r.last)) - Math.min(...results.filter((r) => r.first > 0).map((r) => r.first))) / 1000
    const bytes = results.reduce((n, r) => n + r.bytes, 0)
    console.log(JSON.stringify({
      scenario: processes === 1 ? `${kind}-blackhole` : `${kind}-blackhole-x${processes}`,
      impl,
      events: total,
      bytes,
      seconds: Number(seconds.toFixed(3)),
      events_per_s: Math.round(total / seconds),
      mb_per_s: Number((bytes / 1e6 / seconds).toFixed(1)),
      peak_rss_mb: Math.max(...results.map((r) => r.peak_rss_mb)),
      per_process_events: results.map((r) => r.events)
    }))
  }))

const [mode, ...rest] = process.argv.slice(2)
if (mode === "worker") {
  const [kind, impl, url] = rest as [string, string, string]
  const broker = brokers[kind]!
  ;(impl === "baseline" ? broker.baseline(url) : engineWorker(broker, url)).then(
    (r) => console.log(JSON.stringify(r)),
    (e: unknown) => {
      console.error(e)
      process.exitCode = 1
    }
  )
} else {
  const [impl = "engine", events = "300000", processes = "1"] = rest
  Effect.runPromise(coordinate(mode ?? "nats", impl, Number(events), Number(processes))).catch((e: unknown) => {
    console.error(e)
    process.exitCode = 1
  })
}
