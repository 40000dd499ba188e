/**
 * `MemoryStore`: the in-process buffers that `memory` sinks write into and `blackhole` sinks
 * count into, readable by tests and the CLI.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer } from "effect"
import type * as RawData from "../../model/raw.js"

/** Events and bytes counted by a sink. */
export interface Counts {
  readonly events: number
  readonly bytes: number
}

/** Named buffers of written payloads, and named counters. */
export interface MemoryStore {
  /** Appends payloads to the buffer `name`. */
  readonly append: (name: string, items: ReadonlyArray<RawData.RawData>) => Effect.Effect<void>
  /** What the buffer `name` holds (empty when it was never written). */
  readonly read: (name: string) => Effect.Effect<ReadonlyArray<RawData.RawData>>
  /** Adds to the counters of `name`. */
  readonly count: (name: string, events: number, bytes: number) => Effect.Effect<void>
  /** The counters of `name`. */
  readonly counts: (name: string) => Effect.Effect<Counts>
  /** Empties the buffer and counters of `name`. */
  readonly clear: (name: string) => Effect.Effect<void>
}

/** The `MemoryStore` service tag. */
export const MemoryStore = Context.GenericTag<MemoryStore>("wp-connector-api/MemoryStore")

/** A new, empty store. */
export const make: Effect.Effect<MemoryStore> = Effect.sync(() => {
  const buffers = new Map<string, Array<RawData.RawData>>()
  const counters = new Map<string, { events: number; bytes: number }>()
  return {
    append: (name, items) =>
      Effect.sync(() => {
        const buffer = buffers.get(name)
        if (buffer === undefined) buffers.set(name, [...items])
        else for (const item of items) buffer.push(item)
      }),
    read: (name) => Effect.sync(() => [...(buffers.get(name) ?? [])]),
    count: (name, events, bytes) =>
      Effect.sync(() => {
        const c = counters.get(name)
        if (c === undefined) counters.set(name, { events, bytes })
        else {
          c.events += events
          c.bytes += bytes
        }
      }),
    counts: (name) => Effect.sync(() => ({ ...(counters.get(name) ?? { events: 0, bytes: 0 }) })),
    clear: (name) =>
      Effect.sync(() => {
        buffers.delete(name)
        counters.delete(name)
      })
  }
})

/** A Layer providing a fresh store. */
export const layer: Layer.Layer<MemoryStore> = Layer.effect(MemoryStore, make)
