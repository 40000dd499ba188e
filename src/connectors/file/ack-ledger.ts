/**
 * `AckLedger`: the byte offset before which every event of one file generation was acked. Events are
 * numbered in the order they were read (the number is their ack token) and cover contiguous byte
 * spans; the ledger keeps the end offset of each event not yet acked in order, and the numbers acked
 * ahead of a gap. Acks may come in whatever order; the committed offset advances over the events that join it.
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
  /** How many entries of `ends` are in use. */
  length: number
  /** End offsets of the events read in this generation, from `head` to `length` not yet acked in order. */
  ends: Float64Array
  /** Numbers acked ahead of `next`. */
  readonly ahead: Set<number>
}

/** A ledger at `offset` whose first event will be number `first`. */
export const make = (offset: number, first: number): AckLedger => ({
  committed: offset,
  next: first,
  head: 0,
  length: 0,
  ends: new Float64Array(1024),
  ahead: new Set()
})

/** Records that the next event (number `next + pending`) ends at `end`. */
export const record = (self: AckLedger, end: number): void => {
  if (self.length === self.ends.length) makeRoom(self)
  self.ends[self.length++] = end
}

/**
 * Room for one more end: the acked entries before `head` are dropped first, and the array doubles when
 * it is still more than half full (a typed array: pushing to a plain array costs about 20 ns an event).
 */
const makeRoom = (self: AckLedger): void => {
  if (self.head > 0) {
    self.ends.copyWithin(0, self.head, self.length)
    self.length -= self.head
    self.head = 0
  }
  if (self.length * 2 > self.ends.length) {
    const ends = new Float64Array(self.ends.length * 2)
    ends.set(self.ends.subarray(0, self.length))
    self.ends = ends
  }
}

/** How many recorded events are not acked in order yet. */
export const pending = (self: AckLedger): number => self.length - self.head

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
  advance(self, 1)
  return true
}

/**
 * Records the ack of event `n` and of every event before it (a cumulative ack): `true` when `committed`
 * moved, `false` when it did not (all of them were acked already, or `n` is of an older generation),
 * `undefined` when no event `n` was read.
 */
export const ackUpTo = (self: AckLedger, n: number): boolean | undefined => {
  const at = n - self.next
  if (at < 0) return false
  if (at >= pending(self)) return undefined
  if (self.ahead.size > 0) for (const m of self.ahead) if (m <= n) self.ahead.delete(m)
  advance(self, at + 1)
  return true
}

/** Commits the next `count` events in order, then those acked ahead that now join them. */
const advance = (self: AckLedger, count: number): void => {
  self.head += count
  self.next += count
  self.committed = self.ends[self.head - 1]!
  while (self.ahead.size > 0 && self.ahead.delete(self.next)) {
    self.committed = self.ends[self.head]!
    self.head++
    self.next++
  }
  if (self.head === self.length) {
    self.head = 0
    self.length = 0
  }
}
