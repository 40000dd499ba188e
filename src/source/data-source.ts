/**
 * `DataSource`: a pull-based source of event batches, with optional ack, seek and a try-receive
 * fast path; `open` runs its start/close as a Scope's acquire/release, and `stream` turns it into
 * a `Stream` whose chunks are the received batches, steered by a `ControlPlane`.
 *
 * @since 0.1.0
 */
import { Cause, Chunk, Duration, Effect, Exit, Fiber, Option, Queue, Schedule, type Scope, Stream } from "effect"
import { SourceError, SourceSupplierError } from "../errors/source.js"
import { type ControlEvent, type ControlPlane, type CtrlRx, type SeekPosition } from "./control.js"
import type { AckToken, SourceBatch, SourceEvent } from "./event.js"

/** What a source can do beyond `receive` (`SourceCaps`). */
export interface SourceCaps {
  /** `ack(token)` is implemented. */
  readonly ack: boolean
  /** `seek(position)` is implemented. */
  readonly seek: boolean
  /** Several instances may read the same upstream in parallel (consumer groups). */
  readonly parallel: boolean
}

/** No capability beyond `receive`. */
export const noCaps: SourceCaps = { ack: false, seek: false, parallel: false }

/** A pull-based source (the `DataSource` trait). Build one with `make`. */
export interface DataSource {
  /** A name for logs and metrics, e.g. `"file:/var/log/app.log"`. */
  readonly identifier: string
  /** What the source advertises it can do. */
  readonly caps: SourceCaps
  /**
   * The next batch. Empty (or `SourceNotData`) means "no data yet", `SourceEof` means the end.
   * Must be interrupt-safe: when interrupted before it returns, no event may be lost.
   */
  readonly receive: Effect.Effect<SourceBatch, SourceError>
  /** Static capability: the source implements `tryReceive`. */
  readonly supportsTryReceive: boolean
  /** Dynamic capability: `tryReceive` may be called now. */
  readonly canTryReceive: () => boolean
  /** A batch if one is ready right now, without waiting; `None` otherwise. */
  readonly tryReceive: () => Option.Option<SourceBatch>
  /** Acknowledges the event that carried `token`; fails with "ack unsupported" unless implemented. */
  readonly ack: (token: AckToken) => Effect.Effect<void, SourceError>
  /** Acknowledges several events in order; by default `ack` for each (a source may do it in one go). */
  readonly ackBatch: (tokens: ReadonlyArray<AckToken>) => Effect.Effect<void, SourceError>
  /** Moves the read position; fails with "seek unsupported" unless implemented. */
  readonly seek: (position: SeekPosition) => Effect.Effect<void, SourceError>
  /** Prepares resources and may listen to control events; runs in the Scope of `open`. */
  readonly start: (ctrl: CtrlRx) => Effect.Effect<void, SourceError, Scope.Scope>
  /** Releases everything; idempotent, and safe before `start`. */
  readonly close: Effect.Effect<void>
}

/** What `make` needs: a name and `receive`; everything else has the spec's defaults. */
export interface DataSourceOptions {
  readonly identifier: string
  readonly receive: Effect.Effect<SourceBatch, SourceError>
  /** Defaults: `ack`/`seek` true when those methods are given, `parallel` false. */
  readonly caps?: Partial<SourceCaps> | undefined
  readonly tryReceive?: (() => Option.Option<SourceBatch>) | undefined
  /** Defaults to `true` when `tryReceive` is given. */
  readonly supportsTryReceive?: boolean | undefined
  /** Defaults to the static `supportsTryReceive`. */
  readonly canTryReceive?: (() => boolean) | undefined
  readonly ack?: ((token: AckToken) => Effect.Effect<void, SourceError>) | undefined
  /** Defaults to `ack` for each token, in order. */
  readonly ackBatch?: ((tokens: ReadonlyArray<AckToken>) => Effect.Effect<void, SourceError>) | undefined
  readonly seek?: ((position: SeekPosition) => Effect.Effect<void, SourceError>) | undefined
  readonly start?: ((ctrl: CtrlRx) => Effect.Effect<void, SourceError, Scope.Scope>) | undefined
  readonly close?: Effect.Effect<void> | undefined
}

const none = (): Option.Option<SourceBatch> => Option.none()

/**
 * A `DataSource` with the spec's defaults filled in: `ack`/`seek` fail with `SourceSupplierError`
 * "ack unsupported"/"seek unsupported", `start` does nothing, `close` runs at most once.
 */
export const make = (options: DataSourceOptions): DataSource => {
  const { identifier } = options
  const supportsTryReceive = options.supportsTryReceive ?? options.tryReceive !== undefined
  let closed = false
  const close = options.close
  const ack = options.ack ?? (() => Effect.fail(SourceError.ackUnsupported(identifier)))
  return {
    identifier,
    caps: {
      ack: options.caps?.ack ?? options.ack !== undefined,
      seek: options.caps?.seek ?? options.seek !== undefined,
      parallel: options.caps?.parallel ?? false
    },
    receive: options.receive,
    supportsTryReceive,
    canTryReceive: options.canTryReceive ?? (() => supportsTryReceive),
    tryReceive: options.tryReceive ?? none,
    ack,
    ackBatch: options.ackBatch ??
      ((tokens) => (tokens.length === 1 ? ack(tokens[0]) : Effect.forEach(tokens, ack, { discard: true }))),
    seek: options.seek ?? (() => Effect.fail(SourceError.seekUnsupported(identifier))),
    start: options.start ?? (() => Effect.void),
    close: Effect.suspend(() => {
      if (closed || close === undefined) {
        closed = true
        return Effect.void
      }
      closed = true
      return close
    })
  }
}

/**
 * Starts `self` in the current Scope and closes it when the Scope closes: `close` is registered
 * before `start` runs, so it runs exactly once whether start succeeds, fails or is interrupted.
 */
export const open = (self: DataSource, ctrl: CtrlRx): Effect.Effect<void, SourceError, Scope.Scope> =>
  Effect.zipRight(Effect.addFinalizer(() => self.close), self.start(ctrl))

/** The default poll schedule for empty batches: 1 ms doubling, at most 100 ms between polls. */
export const defaultPoll: Schedule.Schedule<unknown> = Schedule.exponential(Duration.millis(1), 2).pipe(
  Schedule.either(Schedule.spaced(Duration.millis(100)))
)

/** How `stream` runs a source. */
export interface StreamOptions {
  /** The control plane whose Stop / Isolate / Seek steer the stream (and that `start` listens to). */
  readonly control?: ControlPlane | undefined
  /** Delays between polls that found no data; when the schedule ends, the stream ends. */
  readonly poll?: Schedule.Schedule<unknown, unknown> | undefined
  /** Use `tryReceive` when the source allows it (default `true`). */
  readonly tryReceive?: boolean | undefined
  /**
   * On Stop, keep pulling until the source ends with `SourceEof` instead of ending at once
   * (default `false`). For sources fed by an acceptor: the acceptor stops on Stop and ends its
   * queue, and the events it already accepted are still delivered.
   */
  readonly drainOnStop?: boolean | undefined
}

/** The seek error for a source whose `caps.seek` is false. */
const seekNotAdvertised = (self: DataSource): SourceSupplierError =>
  SourceError.supplierError(`seek unsupported: source ${self.identifier} does not advertise caps.seek`)

/** A control-free subscription: never yields. */
const noControl: Effect.Effect<Option.Option<ControlEvent>> = Effect.never

/**
 * Opens `self` now in the current Scope (subscribing to the control plane at once, so no control
 * event published after this returns is missed) and returns its pull: each run yields the next
 * non-empty batch, or `None` at the end. Stop ends it after the batch in flight (a `receive`
 * still waiting is interrupted), Isolate(true) stops pulling until Isolate(false), Seek calls
 * `seek`. `SourceEof` is the end; empty batches and `SourceNotData` poll again on the `poll`
 * schedule. This is the engine's hot path: it costs one Effect per batch, no Stream machinery.
 */
export const toPull = (
  self: DataSource,
  options: StreamOptions = {}
): Effect.Effect<Effect.Effect<Option.Option<SourceBatch>, SourceError>, SourceError, Scope.Scope> =>
  Effect.gen(function*() {
    const plane = options.control
    const own: CtrlRx | undefined = plane === undefined ? undefined : yield* plane.subscribe
    const forSource: CtrlRx = plane === undefined ? yield* Queue.unbounded<ControlEvent>() : yield* plane.subscribe
    yield* open(self, forSource)
    const driver = yield* Schedule.driver(options.poll ?? defaultPoll)
    const useTry = (options.tryReceive ?? true) && self.supportsTryReceive
    const drainOnStop = options.drainOnStop ?? false
    let stopped = false
    let paused = false

    /** The next control event, waiting for it; a shut-down plane counts as Stop. */
    const nextControl: Effect.Effect<Option.Option<ControlEvent>> = own === undefined
      ? noControl
      : Effect.map(Effect.exit(Queue.take(own)), (exit) =>
        Exit.isSuccess(exit) ? Option.some(exit.value) : Option.some<ControlEvent>({ _tag: "Stop" }))

    const apply = (event: ControlEvent): Effect.Effect<void, SourceError> => {
      switch (event._tag) {
        case "Stop":
          if (!drainOnStop) stopped = true
          return Effect.void
        case "Isolate":
          paused = event.isolate
          return Effect.void
        case "Seek":
          return self.caps.seek ? Effect.zipRight(self.seek(event.position), driver.reset) : Effect.fail(seekNotAdvertised(self))
      }
    }

    /** Applies the control events waiting now; a cheap size check first, as this runs before every pull. */
    const drainPending: Effect.Effect<void, SourceError> = own === undefined
      ? Effect.void
      : Effect.suspend(() => {
        const size = own.unsafeSize()
        if (Option.isNone(size)) {
          stopped = true // the control plane is gone: nobody can stop us later
          return Effect.void
        }
        return size.value > 0
          ? Effect.flatMap(Queue.takeAll(own), (events) => Effect.forEach(events, apply, { discard: true }))
          : Effect.void
      })

    /** Control events that arrived while a `receive` was in flight; applied once it returned. */
    const deferred: Array<ControlEvent> = []

    /**
     * The next control event that should interrupt the work in flight: any event while idling;
     * only Stop (without `drainOnStop`) while a `receive` runs — Isolate and Seek wait for the
     * batch in flight, so a `receive` is only ever interrupted to stop.
     */
    const interruptingControl = (any: boolean): Effect.Effect<Option.Option<ControlEvent>> =>
      Effect.flatMap(nextControl, (event) => {
        if (Option.isNone(event) || any || (event.value._tag === "Stop" && !drainOnStop)) return Effect.succeed(event)
        deferred.push(event.value)
        return interruptingControl(any)
      })

    /** Applies the deferred events, then the one a raced `take` got, if it got one. */
    const applyTaken = (exit: Exit.Exit<Option.Option<ControlEvent>>): Effect.Effect<void, SourceError> => {
      const events = deferred.splice(0, deferred.length)
      if (Exit.isSuccess(exit) && Option.isSome(exit.value)) events.push(exit.value.value)
      return events.length === 0 ? Effect.void : Effect.forEach(events, apply, { discard: true })
    }

    /**
     * Waits for whichever comes first: `work` (`Some`) or an interrupting control event (applied;
     * `None`). The loser is interrupted and its exit inspected, so a result that raced in is never
     * dropped; control events that did not interrupt are applied after the work.
     */
    const orControl = <A>(work: Effect.Effect<A, SourceError>, any: boolean): Effect.Effect<Option.Option<A>, SourceError> =>
      own === undefined ? Effect.map(work, Option.some) : Effect.raceWith(work, interruptingControl(any), {
        onSelfDone: (workExit, control) =>
          Effect.flatMap(Fiber.interrupt(control), (controlExit) =>
            Effect.zipRight(applyTaken(controlExit), Effect.map(workExit, Option.some))),
        onOtherDone: (controlExit, worker) =>
          Effect.flatMap(Fiber.interrupt(worker), (workExit) =>
            Effect.zipRight(
              applyTaken(controlExit),
              Exit.isSuccess(workExit)
                ? Effect.succeed(Option.some(workExit.value))
                : Cause.isInterruptedOnly(workExit.cause)
                ? Effect.succeed(Option.none())
                : Effect.failCause(workExit.cause)
            ))
      })

    const received = (batch: SourceBatch): Effect.Effect<Option.Option<SourceBatch>> | undefined =>
      batch.length > 0 ? Effect.as(driver.reset, Option.some(batch)) : undefined

    /** Waits before the next poll; `false` when the schedule is exhausted (the stream ends). */
    const idle: Effect.Effect<boolean, SourceError> = Effect.map(
      orControl(Effect.option(driver.next(undefined)), true),
      (r) => Option.isNone(r) || Option.isSome(r.value)
    )

    /** One batch, or `None` at the end (Stop, EOF, poll schedule exhausted). */
    const next: Effect.Effect<Option.Option<SourceBatch>, SourceError> = Effect.gen(function*() {
      while (true) {
        yield* drainPending
        if (stopped) return Option.none()
        if (paused) {
          const event = yield* nextControl
          if (Option.isSome(event)) yield* apply(event.value)
          continue
        }
        if (useTry && self.canTryReceive()) {
          const ready = self.tryReceive()
          if (Option.isSome(ready)) {
            const out = received(ready.value)
            if (out !== undefined) return yield* out
          }
        }
        const result = yield* orControl(
          Effect.catchTag(self.receive, "SourceNotData", () => Effect.succeed<SourceBatch>([])),
          false
        )
        if (Option.isNone(result)) continue
        const out = received(result.value)
        if (out !== undefined) return yield* out
        if (!(yield* idle)) return Option.none()
      }
    })

    return Effect.catchTag(next, "SourceEof", () => Effect.succeed(Option.none()))
  })

/**
 * Opens `self` now in the current Scope (see `toPull`) and returns the stream of its batches:
 * each chunk is one batch `receive` returned.
 */
export const toStream = (
  self: DataSource,
  options: StreamOptions = {}
): Effect.Effect<Stream.Stream<SourceEvent, SourceError>, SourceError, Scope.Scope> =>
  Effect.map(toPull(self, options), (pull) =>
    Stream.repeatEffectChunkOption(
      Effect.matchEffect(pull, {
        onFailure: (e) => Effect.fail(Option.some(e)),
        onSuccess: (o) => (Option.isSome(o) ? Effect.succeed(Chunk.unsafeFromArray(o.value)) : Effect.fail(Option.none()))
      })
    ))

/** The stream of `self`'s batches (see `toStream`); the source is opened when the stream starts and closed when it ends. */
export const stream = (self: DataSource, options: StreamOptions = {}): Stream.Stream<SourceEvent, SourceError> =>
  Stream.unwrapScoped(toStream(self, options))
