/**
 * The `nats` source: a durable JetStream pull consumer. A background fiber fetches up to `batch`
 * messages at a time into a bounded queue; `receive` takes from it (interrupt-safe). Every replica
 * built with the same `durable` shares the stream's messages; each message stays pending until
 * `ack`, and is redelivered after `ack_wait_ms` otherwise. `seek` recreates the durable consumer.
 *
 * @since 0.1.0
 */
import type { Consumer, ConsumerConfig, DeliverPolicy, JsMsg } from "nats"
import { Duration, Effect, Fiber, Queue, Runtime, type Scope } from "effect"
import { describeCause } from "../../errors/describe.js"
import { SourceError } from "../../errors/source.js"
import * as RawData from "../../model/raw.js"
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
import { kind, SourceParams } from "./params.js"
import * as NatsServers from "./servers.js"

/** How long the fetch loop waits before fetching again after a failed fetch. */
const retryDelay = Duration.millis(200)

/** How long after a close its unacked messages are redelivered (see `release`). */
const nakDelayMs = 250

/** Where a (re)created durable consumer starts. */
type Start = Pick<ConsumerConfig, "deliver_policy" | "opt_start_seq" | "opt_start_time">

/** The start of a durable consumer for the `deliver_policy` param. */
const policyStart = (policies: typeof DeliverPolicy, policy: SourceParams["deliver_policy"]): Start => ({
  deliver_policy: policy === "all" ? policies.All : policy === "new" ? policies.New : policies.Last
})

/**
 * The start of a durable consumer for a seek position (`Offset` = stream sequence, `Time` = start
 * time); `policies` is the `nats` library's `DeliverPolicy` (the library is imported on first use).
 */
export const startOf = (policies: typeof DeliverPolicy, position: SeekPosition): Start => {
  switch (position._tag) {
    case "Start":
      return { deliver_policy: policies.All }
    case "End":
      return { deliver_policy: policies.New }
    case "Offset":
      return { deliver_policy: policies.StartSequence, opt_start_seq: Math.max(1, Math.floor(position.offset)) }
    case "Time":
      return { deliver_policy: policies.StartTime, opt_start_time: position.time.toISOString() }
    case "Token":
      return { deliver_policy: policies.StartSequence, opt_start_seq: Number(position.token) }
  }
}

/** `true` when `u` is a JetStream message (the ack token of this source). */
const isJsMsg = (u: unknown): u is JsMsg =>
  typeof u === "object" && u !== null && typeof (u as { ack?: unknown }).ack === "function" && "seq" in u

/**
 * Opens a durable pull consumer source named `name` in the current Scope. One event per message:
 * `eventId` is the stream sequence, `payload` the message text, `tags` are `tags` plus `nats_subject`,
 * `ackToken` the message. Unreachable server, missing stream or a consumer that cannot be created
 * fail with `SourceDisconnect` (503); refused credentials or a refused TLS certificate with
 * `SourceSupplierError` (500, not retryable); a bad `tls` file with a `ConfigError`. While the connection
 * is down, `receive` fails with 503 once the queue is drained, and resumes by itself after the client reconnects.
 */
export const make = (
  name: string,
  params: SourceParams,
  tags: Tags.Tags = Tags.empty
): Effect.Effect<DataSource.DataSource, SourceError | ConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const where = `${NatsServers.display(params.servers)}/${params.stream}/${params.durable}`
    const disconnect = (detail: string, cause?: unknown) => SourceError.disconnect(detail, cause)
    const connection = yield* Connection.open(params, (detail, cause): SourceError =>
      Connection.isAuthError(cause)
        ? SourceError.supplierError(`${detail}; ${Connection.authHint}`, cause)
        : Tls.failure(cause) === undefined
        ? disconnect(detail, cause)
        : SourceError.supplierError(detail, cause))
    const { AckPolicy, DeliverPolicy, nanos } = connection.client
    const js = connection.nc.jetstream()
    const queue = yield* Effect.acquireRelease(Queue.bounded<SourceEvent>(params.batch * 2), Queue.shutdown)
    let lastError: string | undefined = undefined
    /** Messages handed out (or queued) and not acked yet: nak'ed on close so they are redelivered at once. */
    const outstanding = new Set<JsMsg>()

    /** Creates the durable consumer with `start` unless it exists (an existing one keeps its position). */
    const ensureConsumer = (start: Start, replace: boolean): Effect.Effect<Consumer, SourceError> =>
      Effect.tryPromise({
        try: async () => {
          if (replace) await connection.jsm.consumers.delete(params.stream, params.durable).catch(() => false)
          const exists = replace ? false : await connection.jsm.consumers.info(params.stream, params.durable).then(() => true, () => false)
          if (!exists) {
            await connection.jsm.consumers.add(params.stream, {
              durable_name: params.durable,
              ack_policy: AckPolicy.Explicit,
              ack_wait: nanos(params.ack_wait_ms),
              max_ack_pending: params.max_ack_pending,
              ...(params.subjects === undefined || params.subjects.length === 0 ? {} : { filter_subjects: [...params.subjects] }),
              ...start
            })
          }
          return js.consumers.get(params.stream, params.durable)
        },
        catch: (cause) => disconnect(`nats source ${name}: cannot open durable consumer ${where}: ${describeCause(cause)}`, cause)
      })

    const runtime = yield* Effect.runtime<never>()
    const offer = Runtime.runPromise(runtime)

    /** Fetches forever from `consumer`, offering each message as it arrives (blocking while the queue is full). */
    const fetchLoop = (consumer: Consumer): Effect.Effect<never> =>
      Effect.forever(
        Effect.tryPromise({
          try: async (signal) => {
            const messages = await consumer.fetch({ max_messages: params.batch, expires: params.expires_ms })
            signal.addEventListener("abort", () => messages.stop())
            for await (const m of messages) {
              if (signal.aborted) break
              const event = toEvent(m)
              // the common case (room in the queue) is synchronous; a full queue waits: backpressure
              if (!queue.unsafeOffer(event)) await offer(Queue.offer(queue, event))
            }
            lastError = undefined
          },
          catch: (cause) => cause
        }).pipe(
          Effect.catchAll((cause) =>
            Effect.zipRight(Effect.sync(() => (lastError = `fetch failed: ${describeCause(cause)}`)), Effect.sleep(retryDelay))
          )
        )
      )

    // a stream's messages mostly share a few subjects: the tags of the last one are reused
    let lastSubject = ""
    let lastTags = tags
    const tagsOf = (subject: string): Tags.Tags => {
      if (subject !== lastSubject) {
        lastSubject = subject
        lastTags = Tags.set(tags, "nats_subject", subject)
      }
      return lastTags
    }

    const toEvent = (m: JsMsg): SourceEvent => {
      outstanding.add(m)
      return new SourceEvent({
        eventId: m.seq,
        srcKey: name,
        payload: RawData.fromBytesPreferText(m.data),
        tags: tagsOf(m.subject),
        ackToken: m
      })
    }

    const initial = yield* ensureConsumer(policyStart(DeliverPolicy, params.deliver_policy), false)
    let fetcher = yield* Effect.forkScoped(fetchLoop(initial))
    const lock = yield* Effect.makeSemaphore(1)

    const receive = QueueReceive.make({
      queue,
      batch: params.batch,
      down: () => connection.down() ?? lastError,
      fail: (down) => disconnect(`nats source ${name}: ${down} (${where}); the client keeps reconnecting`)
    })

    const notMsg = () => SourceError.supplierError(`nats source ${name}: ack token is not a JetStream message`)

    /** Acks `msg` and waits for the server to confirm it (a lost confirmation is a 503: the message will be redelivered). */
    const confirmAck = (msg: JsMsg): Effect.Effect<void, SourceError> =>
      Effect.tryPromise({
        try: () => msg.ackAck({ timeout: 5000 }),
        catch: (cause) => disconnect(`nats source ${name}: ack of #${msg.seq} not confirmed: ${describeCause(cause)}`, cause)
      }).pipe(
        Effect.flatMap((ok) =>
          ok ? Effect.void : Effect.fail(disconnect(`nats source ${name}: ack of #${msg.seq} refused (already acked or expired)`))
        ),
        Effect.ensuring(Effect.sync(() => outstanding.delete(msg)))
      )

    const ack = (token: AckToken): Effect.Effect<void, SourceError> => isJsMsg(token) ? confirmAck(token) : Effect.fail(notMsg())

    /**
     * Acks every message, and waits for the server to confirm the last one only: the server handles one
     * connection's acks in order, so that confirmation covers the ones before it.
     */
    const ackBatch = (tokens: ReadonlyArray<AckToken>): Effect.Effect<void, SourceError> =>
      Effect.suspend(() => {
        if (tokens.length === 0) return Effect.void
        if (!tokens.every(isJsMsg)) return Effect.fail(notMsg())
        const msgs = tokens as ReadonlyArray<JsMsg>
        for (let i = 0; i < msgs.length - 1; i++) {
          msgs[i]!.ack()
          outstanding.delete(msgs[i]!)
        }
        return confirmAck(msgs[msgs.length - 1]!)
      })

    const seek = (position: SeekPosition): Effect.Effect<void, SourceError> =>
      lock.withPermits(1)(
        Effect.gen(function*() {
          yield* Fiber.interrupt(fetcher)
          yield* Queue.takeAll(queue)
          // the old consumer is deleted with its pending messages: nothing left to ack or nak
          outstanding.clear()
          const consumer = yield* ensureConsumer(startOf(DeliverPolicy, position), true)
          fetcher = yield* Effect.forkDaemon(fetchLoop(consumer))
        })
      )

    /**
     * Naks what was handed out and never acked, so another replica (or this one rebuilt) gets it in
     * `nakDelay`, not after ack_wait. The delay matters: this source's last pull request may still be
     * waiting at the server, and an immediate redelivery would go to it, i.e. to a closing connection.
     */
    const release = Effect.promise(async () => {
      if (outstanding.size === 0 || connection.down() !== undefined) return
      for (const m of outstanding) m.nak(nakDelayMs)
      outstanding.clear()
      await connection.nc.flush().catch(() => undefined)
    })

    yield* Effect.addFinalizer(() => Effect.suspend(() => Effect.zipRight(Fiber.interrupt(fetcher), release)))

    return DataSource.make({
      identifier: `nats:${params.stream}/${params.durable}`,
      caps: { ack: true, seek: true, parallel: true },
      receive,
      ack,
      ackBatch,
      seek
    })
  })

/** The `nats` source factory: one durable pull consumer per build; replicas sharing `durable` share the stream. */
export const factory: SourceFactory.SourceFactory = SourceFactory.withParams({
  kind,
  params: SourceParams,
  open: (name, params, tags) => make(name, params, tags)
})
