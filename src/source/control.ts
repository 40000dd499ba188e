/**
 * Control of running sources: `ControlEvent` (Stop / Isolate / Seek), the `ControlPlane` that
 * broadcasts them over a `PubSub`, and `CtrlRx`, one scoped subscription.
 *
 * @since 0.1.0
 */
import { Context, Data, Effect, Layer, PubSub, Queue, type Scope } from "effect"

/**
 * Where to seek to (`SeekPosition`). Each source says which forms it understands:
 * `Start`, `End`, a numeric `Offset` (byte offset, sequence), a `Time`, or a source-specific `Token`.
 */
export type SeekPosition = Data.TaggedEnum<{
  Start: {}
  End: {}
  Offset: { readonly offset: number }
  Time: { readonly time: Date }
  Token: { readonly token: string }
}>

/** Constructors and matchers for `SeekPosition`. */
export const SeekPosition = Data.taggedEnum<SeekPosition>()

/** A command from the orchestrator to a running source. */
export type ControlEvent = Data.TaggedEnum<{
  /** Stop after the batch in flight. */
  Stop: {}
  /** Pause (`true`) or resume (`false`) pulling. */
  Isolate: { readonly isolate: boolean }
  /** Seek the source to a position. */
  Seek: { readonly position: SeekPosition }
}>

/** Constructors (`ControlEvent.Stop()`, `ControlEvent.Isolate({ isolate })`, `ControlEvent.Seek({ position })`) and matchers. */
export const ControlEvent = Data.taggedEnum<ControlEvent>()

/** A subscription to the control plane (`CtrlRx`): a queue of the events published after it was taken. */
export type CtrlRx = Queue.Dequeue<ControlEvent>

/** Called with each control event inside `publish`, before it returns (see `ControlPlane.listen`). */
export type ControlListener = (event: ControlEvent) => void

/** Broadcasts control events to every subscribed source (`async_broadcast` in the Rust crate). */
export interface ControlPlane {
  /**
   * Publishes an event to every current subscriber and listener. When it returns, every listener has
   * been called with the event and every subscription holds it.
   */
  readonly publish: (event: ControlEvent) => Effect.Effect<void>
  /** A new subscription that lives as long as the current Scope; it sees events published after this. */
  readonly subscribe: Effect.Effect<CtrlRx, never, Scope.Scope>
  /**
   * Calls `listener` with every event published from now on, synchronously inside `publish` (so the event
   * is known before `publish` returns), and with `Stop` when the plane shuts down; for as long as the
   * current Scope. A listener must not block or throw: it records the event (this is how a pull applies
   * an event exactly when its publish returned).
   */
  readonly listen: (listener: ControlListener) => Effect.Effect<void, never, Scope.Scope>
  /** Publishes `Stop`. */
  readonly stop: Effect.Effect<void>
  /** Publishes `Isolate(isolate)`. */
  readonly isolate: (isolate: boolean) => Effect.Effect<void>
  /** Publishes `Seek(position)`. */
  readonly seek: (position: SeekPosition) => Effect.Effect<void>
}

/** The `ControlPlane` service tag. */
export const ControlPlane = Context.GenericTag<ControlPlane>("wp-connector-api/ControlPlane")

/**
 * A control plane over an unbounded `PubSub` (control events are rare, and a subscriber that
 * is slow to read must never block the orchestrator). It is shut down when the Scope closes;
 * its listeners then get `Stop`.
 */
export const make: Effect.Effect<ControlPlane, never, Scope.Scope> = Effect.gen(function*() {
  const listeners = new Set<ControlListener>()
  const tell = (event: ControlEvent) =>
    Effect.sync(() => {
      for (const listener of listeners) listener(event)
    })
  const pubsub = yield* Effect.acquireRelease(PubSub.unbounded<ControlEvent>(), (pubsub) =>
    tell(ControlEvent.Stop()).pipe(
      Effect.zipRight(Effect.sync(() => listeners.clear())),
      Effect.zipRight(PubSub.shutdown(pubsub))
    ))
  const publish = (event: ControlEvent) => Effect.zipRight(tell(event), Effect.asVoid(PubSub.publish(pubsub, event)))
  return {
    publish,
    subscribe: PubSub.subscribe(pubsub),
    listen: (listener) =>
      Effect.asVoid(Effect.acquireRelease(
        Effect.sync(() => listeners.add(listener)),
        () => Effect.sync(() => listeners.delete(listener))
      )),
    stop: publish(ControlEvent.Stop()),
    isolate: (isolate: boolean) => publish(ControlEvent.Isolate({ isolate })),
    seek: (position: SeekPosition) => publish(ControlEvent.Seek({ position }))
  }
})

/** A Layer that provides a fresh `ControlPlane`. */
export const layer: Layer.Layer<ControlPlane> = Layer.scoped(ControlPlane, make)

/** Subscribes to the `ControlPlane` in context, for the current Scope. */
export const subscribe: Effect.Effect<CtrlRx, never, ControlPlane | Scope.Scope> = Effect.flatMap(
  ControlPlane,
  (plane) => plane.subscribe
)
