/**
 * `AckWatermark`: the contiguous high watermark of one source. Batches complete in whatever order; their
 * ack tokens are released strictly in batch order, so a source is never acked past a batch that
 * has not completed (a failed batch is never skipped).
 *
 * @since 0.1.0
 */
import type { AckToken } from "../source/event.js"

/** Tracks completed batches of one source and releases their ack tokens in order. */
export interface AckWatermark {
  /** The sequence number the next registered batch gets. */
  readonly nextSeq: () => number
  /** Registers a batch (its ack tokens and event count); returns its sequence number. */
  readonly register: (tokens: ReadonlyArray<AckToken>, events: number) => number
  /** Marks batch `seq` complete; returns the tokens now releasable in order (maybe none). */
  readonly complete: (seq: number) => ReadonlyArray<AckToken>
  /** Events of registered batches that are not yet released. */
  readonly pendingEvents: () => number
  /** Events released (acknowledgeable) so far. */
  readonly releasedEvents: () => number
}

interface Entry {
  readonly tokens: ReadonlyArray<AckToken>
  readonly events: number
  done: boolean
}

/** A new watermark starting at sequence 0. */
export const make = (): AckWatermark => {
  const entries = new Map<number, Entry>()
  let next = 0
  let low = 0
  let pending = 0
  let released = 0
  return {
    nextSeq: () => next,
    register: (tokens, events) => {
      const seq = next++
      entries.set(seq, { tokens, events, done: false })
      pending += events
      return seq
    },
    complete: (seq) => {
      const entry = entries.get(seq)
      if (entry === undefined || entry.done) return []
      entry.done = true
      if (seq !== low) return []
      const out: Array<AckToken> = []
      let head = entries.get(low)
      while (head !== undefined && head.done) {
        for (const t of head.tokens) out.push(t)
        pending -= head.events
        released += head.events
        entries.delete(low)
        low++
        head = entries.get(low)
      }
      return out
    },
    pendingEvents: () => pending,
    releasedEvents: () => released
  }
}
