/**
 * The `redis` source: one consumer of a Streams consumer group. A background fiber first replays
 * this consumer's own pending entries (given to it before and never acked), then reads new ones
 * (`XREADGROUP ... >`) into a bounded queue; another periodically claims entries other consumers
 * left pending longer than `claim_idle_ms` (`XAUTOCLAIM`). `receive` takes from the queue
 * (interrupt-safe); `ack` is `XACK`; `seek` moves the group's last-delivered id (`XGROUP SETID`).
 *
 * @since 0.1.0
 */
import * as os from "node:os"
import { Chunk, Duration, Effect, Either, Fiber, Queue, Schedule, type Scope } from "effect"
import { describeCause } from "../../errors/describe.js"
import { SourceError } from "../../errors/source.js"
import * as Tags from "../../model/tags.js"
import * as DataSource from "../../source/data-source.js"
import * as QueueReceive from "../../source/queue-receive.js"
import type { SeekPosition } from "../../source/control.js"
import type { AckToken } from "../../source/event.js"
import { SourceEvent } from "../../source/event.js"
import * as SourceFactory from "../../source/factory.js"
import type { ConfigError } from "../../errors/config.js"
import * as Tls from "../net/tls.js"
import * as Connection from "./connection.js"
import * as Entry from "./entry.js"
import { kind, SourceParams } from "./params.js"

/** `true` when `u` is the error reply of a read from a group (or stream) that does not exist. */
const missingGroup = (u: unknown): boolean => Connection.isReplyError(u) && u instanceof Error && u.message.startsWith("NOGROUP")

/** How long the read loop waits before reading again after a failed read. */
const retryDelay = Duration.millis(200)

/** How many ids one `XACK` carries at most. */
const ackChunk = 1000

/** How long `seek` waits at most for a blocked read beyond `block_ms`. */
const seekMargin = Duration.seconds(1)

/** Deletes consumer ARGV[2] of group ARGV[1] on stream KEYS[1] only when it holds no pending entry (atomically). */
const deleteIfIdle = `if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) == 0 then
  return redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
end
return -1`

/** The consumer name of a source named `name`: `consumer`, else `<name>-<hostname>-<pid>` (stable for a process). */
export const consumerName = (name: string, params: Pick<SourceParams, "consumer">): string =>
  params.consumer ?? `${name}-${os.hostname()}-${process.pid}`.replace(/\s/g, "_")

/**
 * The id to set as the group's last-delivered id so that reading resumes at `position`: `Start` is
 * `0`; `End` is `$`; `Time` and `Offset` (milliseconds since the epoch) the first entry added at or
 * after that time; `Token` (an entry id) that entry. `undefined` for a token that is not an entry id.
 */
export const seekId = (position: SeekPosition): string | undefined => {
  switch (position._tag) {
    case "Start":
      return "0"
    case "End":
      return "$"
    case "Offset":
      return Entry.before(String(Math.max(0, Math.floor(position.offset))))
    case "Time":
      return Entry.before(String(Math.max(0, position.time.getTime())))
    case "Token":
      return /^\d+(-\d+)?$/.test(position.token) ? Entry.before(position.token) : undefined
  }
}

/**
 * Opens a consumer-group source named `name` in the current Scope. One event per entry: `eventId`
 * counts the events of this source from 1, `payload` is the entry's `field` (see `Entry.payload`),
 * `tags` are `tags` plus `redis_stream`, `ackToken` the entry id. An unreachable server fails with
 * `SourceDisconnect` (503); refused credentials or a refused TLS certificate with `SourceSupplierError`
 * (500, not retryable); a bad `tls` file with a `ConfigError`. While a connection is down, `receive`
 * fails with 503 once the queue is drained, and resumes by itself after the client reconnects.
 */
export const make = (
  name: string,
  params: SourceParams,
  tags: Tags.Tags = Tags.empty
): Effect.Effect<DataSource.DataSource, SourceError | ConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const consumer = consumerName(name, params)
    const where = `${Connection.describeTarget(params)} stream ${JSON.stringify(params.stream)} group ${JSON.stringify(params.group)}`
    const prefix = `redis source ${name}`
    const disconnect = (detail: string, cause?: unknown) => SourceError.disconnect(`${prefix}: ${detail}`, cause)
    const onConnect = (detail: string, cause: unknown): SourceError =>
      Connection.isAuthError(cause)
        ? SourceError.supplierError(`${prefix}: ${detail} (${where}); ${Connection.authHint}`, cause)
        : Tls.failure(cause) === undefined
        ? disconnect(`${detail} (${where})`, cause)
        : SourceError.supplierError(`${prefix}: ${detail} (${where})`, cause)
    const options = { ...params, tlsOptions: yield* Tls.clientOptions(params.tls, prefix) }
    const commands = yield* Connection.open(options, `wpc-${consumer}`, onConnect)
    const reader = yield* Connection.open(options, `wpc-${consumer}-reader`, onConnect)

    /** Runs `command` on the command connection: an error reply is a 500, a failed connection a 503. */
    const run = (what: string, command: () => Promise<unknown>): Effect.Effect<unknown, SourceError> =>
      Effect.tryPromise({
        try: command,
        catch: (cause) =>
          Connection.isReplyError(cause)
            ? SourceError.supplierError(`${prefix}: ${what} refused on ${where}: ${describeCause(cause)}`, cause)
            : disconnect(`${what} failed on ${where}: ${describeCause(cause)}`, cause)
      })

    /** Creates the group at `start_id` (and the stream) unless it exists: an existing group keeps its position. */
    const createGroup = run(`XGROUP CREATE at ${params.start_id}`, () =>
      commands.client.xgroup("CREATE", params.stream, params.group, params.start_id, "MKSTREAM").catch((error: unknown) => {
        if (!(error instanceof Error && error.message.startsWith("BUSYGROUP"))) throw error
      }))

    if (params.create_group) {
      yield* createGroup
    } else {
      const groups = yield* run("XINFO GROUPS", () => commands.client.call("XINFO", "GROUPS", params.stream))
      const names = Array.isArray(groups) ? groups.map((g) => (Array.isArray(g) ? String(g[1]) : "")) : []
      if (!names.includes(params.group)) {
        return yield* Effect.fail(SourceError.supplierError(`${prefix}: group ${JSON.stringify(params.group)} does not exist on ${where} (set create_group = true to create it)`))
      }
    }

    const queue = yield* Effect.acquireRelease(Queue.bounded<SourceEvent>(params.batch * 2), Queue.shutdown)
    const eventTags = Tags.set(tags, "redis_stream", params.stream)
    const payloadOf = Entry.payloadOf(params.field)
    /** Entry ids queued or handed out and not acked yet: a replay of this consumer's pending list skips them. */
    const outstanding = new Set<string>()
    let nextEventId = 1
    /** The last error reply of a read (a down connection is reported by `down` instead). */
    let lastError: string | undefined = undefined

    /** Acks the entries deleted from the stream while pending (nothing left to deliver). */
    const dropDeleted = (ids: ReadonlyArray<string>): Effect.Effect<void> =>
      ids.length === 0 ? Effect.void : Effect.ignore(run("XACK", () => commands.client.xack(params.stream, params.group, ...ids)))

    /** Queues `entries` in order (waiting while the queue is full); with `skipOutstanding`, those already queued or handed out are skipped. */
    const deliver = (entries: ReadonlyArray<Entry.Entry>, skipOutstanding: boolean): Effect.Effect<void> =>
      Effect.suspend(() => {
        const deleted: Array<string> = []
        const events: Array<SourceEvent> = []
        for (const entry of entries) {
          if (entry.fields === undefined) deleted.push(entry.id)
          else if (!(skipOutstanding && outstanding.has(entry.id))) {
            outstanding.add(entry.id)
            events.push(new SourceEvent({ eventId: nextEventId++, srcKey: name, payload: payloadOf(entry), tags: eventTags, ackToken: entry.id }))
          }
        }
        return Effect.zipRight(Queue.offerAll(queue, events), dropDeleted(deleted))
      })

    /** The last `XREADGROUP` sent: it may still be running on the server after the read loop was interrupted. */
    let inflight: Promise<unknown> = Promise.resolve()

    /** One `XREADGROUP` from `from` (`0`-based replay of the pending list, or `>` blocking for new entries). */
    const readGroup = (from: string): Effect.Effect<ReadonlyArray<Entry.Entry>, unknown> =>
      Effect.flatMap(
        Effect.tryPromise({
          try: () =>
            inflight = reader.client.callBuffer("XREADGROUP", [
              "GROUP", params.group, consumer, "COUNT", params.batch,
              ...(from === ">" ? ["BLOCK", params.block_ms] : []),
              "STREAMS", params.stream, from
            ]),
          catch: (cause) => cause
        }),
        (reply) => Either.match(Entry.fromReadGroup(reply), { onLeft: (e) => Effect.fail(new Error(e)), onRight: Effect.succeed })
      )

    /**
     * Reads forever: with `pendingFirst`, this consumer's pending list (paging until empty), then new
     * entries. After a failure it waits, then replays the pending list again (an entry given to this
     * consumer by a read whose reply was lost is found there); a group that vanished is created again
     * when `create_group`.
     */
    const readLoop = (pendingFirst: boolean): Effect.Effect<never> => {
      let cursor: string | undefined = pendingFirst ? "0" : undefined
      const step = Effect.gen(function*() {
        const from = cursor ?? ">"
        const entries = yield* readGroup(from)
        if (from !== ">") cursor = entries.length === 0 ? undefined : entries[entries.length - 1]!.id
        yield* deliver(entries, from !== ">")
        lastError = undefined
      })
      return Effect.forever(step.pipe(
        Effect.catchAll((cause) =>
          Effect.zipRight(
            Effect.sync(() => {
              cursor = "0"
              if (Connection.isReplyError(cause) || reader.down() === undefined) lastError = `XREADGROUP failed: ${describeCause(cause)}`
            }),
            // the stream (and its group) was deleted, or the server restarted without its data
            missingGroup(cause) && params.create_group ? Effect.zipRight(Effect.ignore(createGroup), Effect.sleep(retryDelay)) : Effect.sleep(retryDelay)
          )
        )
      ))
    }

    /** Claims, page by page, every entry pending longer than `claim_idle_ms` in the group, and queues those not already ours. */
    const claimAll: Effect.Effect<void, SourceError> = Effect.gen(function*() {
      let cursor = "0-0"
      do {
        const reply = yield* run("XAUTOCLAIM", () =>
          commands.client.callBuffer("XAUTOCLAIM", [params.stream, params.group, consumer, params.claim_idle_ms, cursor, "COUNT", params.batch]))
        const claimed = Entry.fromAutoClaim(reply)
        if (Either.isLeft(claimed)) return yield* Effect.fail(SourceError.supplierError(`${prefix}: ${claimed.left}`))
        cursor = claimed.right.cursor
        yield* deliver(claimed.right.entries, true)
      } while (cursor !== "0-0")
    })

    /** Claims idle entries every half `claim_idle_ms` (at least every 5 s, at most every 50 ms). */
    const claimLoop: Effect.Effect<void> = Effect.repeat(
      Effect.ignore(claimAll),
      Schedule.spaced(Duration.millis(Math.min(5000, Math.max(50, Math.floor(params.claim_idle_ms / 2)))))
    ).pipe(Effect.asVoid)

    let reading: Fiber.Fiber<void> = Fiber.void
    let claiming: Fiber.Fiber<void> = Fiber.void
    /** Starts both loops (interruptible even when started from a finalizer). */
    const startFibers = (pendingFirst: boolean) =>
      Effect.gen(function*() {
        reading = yield* Effect.forkDaemon(Effect.interruptible(readLoop(pendingFirst)))
        claiming = yield* Effect.forkDaemon(Effect.interruptible(claimLoop))
      })
    yield* startFibers(true)
    const stopFibers = Effect.suspend(() => Effect.zipRight(Fiber.interrupt(reading), Fiber.interrupt(claiming)))
    const lock = yield* Effect.makeSemaphore(1)

    /** Stops both loops, then deletes this consumer from the group unless it still holds pending entries (best effort). */
    const release = Effect.gen(function*() {
      yield* stopFibers
      // ends a blocked XREADGROUP now (a QUIT would wait behind it for up to block_ms)
      reader.client.disconnect()
      if (commands.down() !== undefined) return
      yield* Effect.ignore(Effect.timeout(
        run("XGROUP DELCONSUMER", () => commands.client.eval(deleteIfIdle, 1, params.stream, params.group, consumer)),
        Duration.seconds(1)
      ))
    })
    yield* Effect.addFinalizer(() => release)

    const receive = QueueReceive.make({
      queue,
      batch: params.batch,
      down: () => commands.down() ?? reader.down() ?? lastError,
      fail: (down) => disconnect(`${down} (${where}); the client keeps reconnecting`)
    })

    const notId = (token: AckToken) => SourceError.supplierError(`${prefix}: ack token ${String(token)} is not a stream entry id`)

    /** `XACK`s `ids` in chunks of `ackChunk`; they leave `outstanding` whatever the outcome (a failed ack is replayed later). */
    const acknowledge = (ids: ReadonlyArray<string>): Effect.Effect<void, SourceError> =>
      Effect.forEach(
        Chunk.toReadonlyArray(Chunk.chunksOf(Chunk.unsafeFromArray(ids.slice()), ackChunk)),
        (chunk) => run("XACK", () => commands.client.xack(params.stream, params.group, ...Chunk.toReadonlyArray(chunk))),
        { discard: true }
      ).pipe(Effect.ensuring(Effect.sync(() => ids.forEach((id) => outstanding.delete(id)))))

    const ack = (token: AckToken): Effect.Effect<void, SourceError> =>
      Entry.isEntryId(token) ? acknowledge([token]) : Effect.fail(notId(token))

    const ackBatch = (tokens: ReadonlyArray<AckToken>): Effect.Effect<void, SourceError> =>
      Effect.suspend(() => {
        const ids = tokens.filter(Entry.isEntryId)
        return ids.length === tokens.length ? acknowledge(ids) : Effect.fail(notId(tokens.find((t) => !Entry.isEntryId(t))))
      })

    /**
     * Moves the whole group (every consumer) to `position`: stops reading (waiting up to `block_ms` for
     * a blocked read to end), drops the local queue and this consumer's pending entries (it is deleted
     * and recreated), sets the group's last-delivered id, and reads new entries from there.
     */
    const seek = (position: SeekPosition): Effect.Effect<void, SourceError> =>
      lock.withPermits(1)(Effect.gen(function*() {
        const id = seekId(position)
        if (id === undefined) {
          return yield* Effect.fail(SourceError.supplierError(`${prefix}: seek token ${JSON.stringify(position._tag === "Token" ? position.token : "")} is not a stream entry id <ms>-<seq>`))
        }
        const seekWait = Duration.sum(Duration.millis(params.block_ms), seekMargin)
        let pendingFirst = true
        yield* Effect.gen(function*() {
          yield* stopFibers
          // a blocked read ends within block_ms; what it got goes with this consumer's pending list below
          yield* Effect.promise(() => inflight.then(() => undefined, () => undefined)).pipe(Effect.timeout(seekWait), Effect.ignore)
          yield* Queue.takeAll(queue)
          outstanding.clear()
          yield* run("XGROUP DELCONSUMER", () => commands.client.xgroup("DELCONSUMER", params.stream, params.group, consumer))
          yield* run(`XGROUP SETID ${id}`, () => commands.client.xgroup("SETID", params.stream, params.group, id))
          pendingFirst = false
        }).pipe(Effect.ensuring(Effect.suspend(() => startFibers(pendingFirst))))
      }))

    return DataSource.make({
      identifier: `redis:${params.stream}/${params.group}/${consumer}`,
      caps: { ack: true, seek: true, parallel: true },
      receive,
      ack,
      ackBatch,
      seek
    })
  })

/** The `redis` source factory: one group consumer per build; replicas in the same `group` share the stream. */
export const factory: SourceFactory.SourceFactory = SourceFactory.withParams({
  kind,
  params: SourceParams,
  open: (name, params, tags) => make(name, params, tags)
})
