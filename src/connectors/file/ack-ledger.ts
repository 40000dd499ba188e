/**
 * `AckLedger`: the byte offset before which every event of one file generation was acked. Events are
 * numbered in the order they were read (the number is their ack token) and cover contiguous byte
 * spans; the ledger keeps the end offset of each event not yet acked in order, and the numbers acked
 * ahead of a gap. Acks may come in any order; the committed offset advances over the events that join it.
 *
 * @since 0.1.0
 */

/** The acked prefix of a file generation. */
export interface AckLedger {
  /** Every event ending at or before this offset was acked. */
  committed: number
  /** The number of the first event not acked in order (the one at `ends[head]`). */
  next: number
  /** Where that event's end is in `ends`. */
  head: number
  /** End offsets of the events read in this generation, from `head` on not yet acked in order. */
  ends: Array<number>
  /** Numbers acked ahead of `next`. */
  readonly ahead: Set<number>
}

/** A ledger at `offset` whose first event will be number `first`. */
export const make = (offset: number, first: number): AckLedger => ({ committed: offset, next: first, head: 0, ends: [], ahead: new Set() })

/** Records that the next event (number `next + pending`) ends at `end`. */
export const record = (self: AckLedger, end: number): void => {
  self.ends.push(end)
}

/** How many recorded events are not acked in order yet. */
export const pending = (self: AckLedger): number => self.ends.length - self.head

/**
 * Records the ack of event `n`: `true` when `committed` moved, `false` when it did not (acked twice, an
 * event of an older generation, or one acked ahead of a gap), `undefined` when no event `n` was read.
 */
export const ack = (self: AckLedger, n: number): boolean | undefined => {
  const at = n - self.next
  if (at < 0) return false
  if (at >= pending(self)) return undefined
  if (at > 0) {
    self.ahead.add(n)
    return false
  }
  do {
    self.committed = self.ends[self.head]!
    self.head++
    self.next++
  } while (self.ahead.size > 0 && self.ahead.delete(self.next))
  if (self.head >= 4096 && self.head * 2 >= self.ends.length) {
    self.ends = self.ends.slice(self.head)
    self.head = 0
  }
  return true
}
