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
  /**
   * `receive` never waits for data that may not come (it takes what is there, e.g. reads a file):
   * `toPull` runs it directly instead of racing it against the control plane, and a Stop applies
   * once it returned. Absent means `false`.
   */
  readonly promptReceive?: boolean | undefined
  /** Dynamic capability: `tryReceive` may be called now. */
  readonly canTryReceive: () => boolean
  /** A batch if one is ready right now, without waiting; `None` otherwise. */
  readonly tryReceive: () => Option.Option<SourceBatch>
  /** Acknowledges the event that carried `token`; fails with "ack unsupported" unless implemented. */
  readonly ack: (token: AckToken) => Effect.Effect<void, SourceError>
  /** Acknowledges several events in order; by default `ack` for each (a source may do it in one go). */
  readonly ackBatch: (tokens: ReadonlyArray<AckToken>) => Effect.Effect<void, SourceError>
  /**
   * Acknowledges the event that carried `token` and every event handed out before it (a cumulative
   * ack, like committing an offset); absent when the source acks event by event. When it is present,
   * the engine (which acks in order) calls it with the last token of what completed, not `ackBatch`.
   */
  readonly ackUpTo?: ((token: AckToken) => Effect.Effect<void, SourceError>) | undefined
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
  /** Defaults to `false`: `receive` may wait, and a Stop interrupts it. */
  readonly promptReceive?: boolean | undefined
  /** Defaults to the static `supportsTryReceive`. */
  readonly canTryReceive?: (() => boolean) | undefined
  readonly ack?: ((token: AckToken) => Effect.Effect<void, SourceError>) | undefined
  /** Defaults to `ack` for each token, in order. */
  readonly ackBatch?: ((tokens: ReadonlyArray<AckToken>) => Effect.Effect<void, SourceError>) | undefined
  /** Absent by default: the source acks event by event. */
  readonly ackUpTo?: ((token: AckToken) => Effect.Effect<void, SourceError>) | undefined
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
    promptReceive: options.promptReceive ?? false,
    canTryReceive: options.canTryReceive ?? (() => supportsTryReceive),
    tryReceive: options.tryReceive ?? none,
    ack,
    ackBatch: options.ackBatch ??
      ((tokens) => (tokens.length === 1 ? ack(tokens[0]) : Effect.forEach(tokens, ack, { discard: true }))),
    ackUpTo: options.ackUpTo,
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

/**
 * Opens `self` now in the current Scope (listening to the control plane at once, so no control
 * event published after this returns is missed) and returns its pull: each run yields the next
 * non-empty batch, or `None` at the end. Stop ends it after the batch in flight (a `receive`
 * still waiting is interrupted), Isolate(true) stops pulling until Isolate(false), Seek calls
 * `seek`. An event takes effect when its publish returned: the plane hands it to the pull inside
 * `publish`, and the pull looks before every `receive`, so at most the one batch whose `receive` had
 * already started is handed out before it applies (see docs/guide.md, "Control").
 * `SourceEof` is the end; empty batches and `SourceNotData` poll again on the `poll`
 * schedule. This is the engine's hot path: a batch that `tryReceive` has ready costs one Effect; a
 * `receive` that no control event may interrupt (`promptReceive`, or `drainOnStop`) runs directly;
 * every other one runs on one long-lived fiber (forking fibers per `receive` to race it against the
 * control plane cost about 0.3 ms each).
 */
export const toPull = (
  self: DataSource,
  options: StreamOptions = {}
): Effect.Effect<Effect.Effect<Option.Option<SourceBatch>, SourceError>, SourceError, Scope.Scope> =>
  Effect.gen(function*() {
    const plane = options.control
    /** Control events published and not applied yet, in order: filled inside `publish`, so known when it returned. */
    const inbox: Array<ControlEvent> = []
    /** Called when an event enters the inbox while the pull waits. */
    let onEvent: (() => void) | undefined
    if (plane !== undefined) {
      yield* plane.listen((event) => {
        inbox.push(event)
        onEvent?.()
      })
    }
    const forSource: CtrlRx = plane === undefined ? yield* Queue.unbounded<ControlEvent>() : yield* plane.subscribe
    yield* open(self, forSource)
    const driver = yield* Schedule.driver(options.poll ?? defaultPoll)
    const useTry = (options.tryReceive ?? true) && self.supportsTryReceive
    const drainOnStop = options.drainOnStop ?? false
    let stopped = false
    let paused = false
    /** The poll schedule advanced since the last batch: reset it on the next one. */
    let polled = false

    const apply = (event: ControlEvent): Effect.Effect<void, SourceError> => {
      switch (event._tag) {
        case "Stop":
          if (!drainOnStop) stopped = true
          return Effect.void
        case "Isolate":
          paused = event.isolate
          return Effect.void
        case "Seek":
          return self.caps.seek
            ? Effect.zipRight(self.seek(event.position), Effect.suspend(() => {
              polled = false
              return driver.reset
            }))
            : Effect.fail(seekNotAdvertised(self))
      }
    }

    /** Applies the control events waiting now, in order. */
    const drainPending: Effect.Effect<void, SourceError> = Effect.suspend(() =>
      inbox.length === 0 ? Effect.void : Effect.forEach(inbox.splice(0, inbox.length), apply, { discard: true })
    )

    /** Waits until a control event is in the inbox (while paused). */
    const nextControl: Effect.Effect<void> = Effect.async<void>((resume) => {
      if (inbox.length > 0) return resume(Effect.void)
      onEvent = () => {
        onEvent = undefined
        resume(Effect.void)
      }
      return Effect.sync(() => {
        onEvent = undefined
      })
    })

    /** An event in the inbox should interrupt the work in flight: every event while idling, else only Stop (without `drainOnStop`). */
    const interrupting = (idling: boolean): boolean => {
      for (const event of inbox) if (idling || (event._tag === "Stop" && !drainOnStop)) return true
      return false
    }

    /** The long-lived fiber that runs `receive` (and idle waits), so that control can interrupt them; forked on first use. */
    let runner: { readonly fiber: Fiber.RuntimeFiber<never>; readonly submit: (job: Effect.Effect<void>) => void } | undefined
    const startRunner = Effect.suspend(() => {
      let queued: Effect.Effect<void> | undefined
      let wake: ((job: Effect.Effect<Effect.Effect<void>>) => void) | undefined
      const nextJob = Effect.async<Effect.Effect<void>>((resume) => {
        const job = queued
        if (job !== undefined) {
          queued = undefined
          return resume(Effect.succeed(job))
        }
        wake = resume
        return Effect.sync(() => {
          wake = undefined
        })
      })
      return Effect.map(Effect.forkDaemon(Effect.forever(Effect.flatten(nextJob))), (fiber) => {
        const started = {
          fiber,
          submit: (job: Effect.Effect<void>) => {
            const w = wake
            if (w === undefined) queued = job
            else {
              wake = undefined
              w(Effect.succeed(job))
            }
          }
        }
        runner = started
        return started
      })
    })
    /** Interrupts the runner without waiting for it: a `receive` that ignores interruption must not hang the caller. */
    const abandonRunner: Effect.Effect<void> = Effect.suspend(() => {
      const r = runner
      runner = undefined
      return r === undefined ? Effect.void : Fiber.interruptFork(r.fiber)
    })
    yield* Effect.addFinalizer(() => abandonRunner)
    /** Interrupts the runner (and the work it runs), waiting for it to end; the next job forks a new one. */
    const stopRunner: Effect.Effect<void> = Effect.suspend(() => {
      const r = runner
      runner = undefined
      return r === undefined ? Effect.void : Effect.asVoid(Fiber.interrupt(r.fiber))
    })

    /**
     * Runs `work` on the runner and waits for whichever comes first: its result (`Some`), or an
     * interrupting control event (`None`; the work is interrupted, and a result that raced in is
     * kept, never dropped). The control events that arrived meanwhile are applied before returning.
     */
    const orControl = <A>(work: Effect.Effect<A, SourceError>, idling: boolean): Effect.Effect<Option.Option<A>, SourceError> =>
      plane === undefined ? Effect.map(work, Option.some) : Effect.suspend(() => {
        let result: Exit.Exit<A, SourceError> | undefined
        let done: (() => void) | undefined
        const job = Effect.asVoid(Effect.exit(Effect.onExit(work, (exit) =>
          Effect.sync(() => {
            result = exit
            done?.()
          }))))
        const wait = Effect.async<void>((resume) => {
          const finish = () => {
            done = undefined
            onEvent = undefined
            resume(Effect.void)
          }
          done = finish
          onEvent = () => {
            if (interrupting(idling)) finish()
          }
          // the pull itself is interrupted: interrupt the work without waiting for it (as a race does)
          return Effect.suspend(() => {
            done = undefined
            onEvent = undefined
            return abandonRunner
          })
        })
        const outcome = Effect.suspend(() =>
          result !== undefined ? Effect.succeed(result) : Effect.zipRight(stopRunner, Effect.sync(() => result))
        )
        if (interrupting(idling)) return Effect.as(drainPending, Option.none())
        return Effect.flatMap(runner === undefined ? startRunner : Effect.succeed(runner), (r) => {
          r.submit(job)
          return Effect.zipRight(wait, outcome)
        }).pipe(
          Effect.flatMap((exit: Exit.Exit<A, SourceError> | undefined) =>
            Effect.zipRight(
              drainPending,
              exit === undefined || (Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause))
                ? Effect.succeed(Option.none())
                : Effect.map(exit, Option.some)
            )
          )
        )
      })

    const received = (batch: SourceBatch): Effect.Effect<Option.Option<SourceBatch>> => {
      if (!polled) return Effect.succeed(Option.some(batch))
      polled = false
      return Effect.as(driver.reset, Option.some(batch))
    }

    /** Waits before the next poll; `false` when the schedule is exhausted (the stream ends). */
    const idle: Effect.Effect<boolean, SourceError> = Effect.suspend(() => {
      polled = true
      return Effect.map(
        orControl(Effect.option(driver.next(undefined)), true),
        (r) => Option.isNone(r) || Option.isSome(r.value)
      )
    })

    /** `receive`, with `SourceNotData` as an empty batch. */
    const receiveOrEmpty = Effect.catchTag(self.receive, "SourceNotData", () => Effect.succeed<SourceBatch>([]))
    /** No control event can interrupt a `receive` (a prompt one, or with `drainOnStop`): run it directly, no fiber hop. */
    const prompt = self.promptReceive === true || drainOnStop

    /** One batch, or `None` at the end (Stop, EOF, poll schedule exhausted). */
    const slow: Effect.Effect<Option.Option<SourceBatch>, SourceError> = Effect.gen(function*() {
      while (true) {
        yield* drainPending
        if (stopped) return Option.none()
        if (paused) {
          yield* nextControl
          continue
        }
        if (useTry && self.canTryReceive()) {
          const ready = self.tryReceive()
          if (Option.isSome(ready) && ready.value.length > 0) return yield* received(ready.value)
        }
        const result = prompt ? Option.some(yield* receiveOrEmpty) : yield* orControl(receiveOrEmpty, false)
        if (Option.isNone(result)) continue
        if (result.value.length > 0) return yield* received(result.value)
        if (!(yield* idle)) return Option.none()
      }
    })

    /** The fast path: no control event waiting and a batch ready from `tryReceive`. */
    const next: Effect.Effect<Option.Option<SourceBatch>, SourceError> = Effect.suspend(() => {
      if (useTry && inbox.length === 0 && !stopped && !paused && self.canTryReceive()) {
        const ready = self.tryReceive()
        if (Option.isSome(ready) && ready.value.length > 0) return received(ready.value)
      }
      return slow
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
