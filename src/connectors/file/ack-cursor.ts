/**
 * `AckCursor`: the byte offset before which every event of a file was acked. Events cover contiguous
 * byte spans `[start, end)`; acks may come in any order, and the cursor advances over the spans that
 * join it. It keeps only the spans acked ahead of a gap, never the events still unacked.
 *
 * @since 0.1.0
 */

/** The acked prefix of a file: `committed`, and the spans acked beyond a gap. */
export interface AckCursor {
  /** Every event ending at or before this offset was acked. */
  committed: number
  /** Spans acked ahead of `committed`, by start offset. */
  readonly ahead: Map<number, number>
}

/** A cursor at `offset` (nothing acked beyond it). */
export const make = (offset: number): AckCursor => ({ committed: offset, ahead: new Map() })

/**
 * Records the ack of the span `[start, end)`; returns `true` when `committed` moved. A span that ends at
 * or before `committed` (acked twice) changes nothing.
 */
export const ack = (self: AckCursor, start: number, end: number): boolean => {
  if (end <= self.committed) return false
  if (start > self.committed) {
    self.ahead.set(start, Math.max(end, self.ahead.get(start) ?? end))
    return false
  }
  self.committed = end
  if (self.ahead.size > 0) {
    let next = self.ahead.get(self.committed)
    while (next !== undefined) {
      self.ahead.delete(self.committed)
      self.committed = next
      next = self.ahead.get(self.committed)
    }
  }
  return true
}
