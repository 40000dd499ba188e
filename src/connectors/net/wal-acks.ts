/**
 * `WalAcks`: where the acks of the disk intake's events stand — the first number not acked, the numbers
 * acked ahead of it, and the ranges that will never be handed out (lost to damage), which the acks step
 * over. Events are numbered in log order; acks come in whatever order, or cumulative.
 *
 * @since 0.1.0
 */

/** The acked prefix of the log's numbers. */
export interface WalAcks {
  /** Every number before this one was acked (or skipped). */
  acked: number
  /** Numbers acked ahead of `acked`. */
  readonly ahead: Set<number>
  /** Ranges `[from, to)` never handed out, in order: `acked` jumps over them. */
  readonly skipped: Array<{ readonly from: number; readonly to: number }>
}

/** Acks standing at `acked`. */
export const make = (acked: number): WalAcks => ({ acked, ahead: new Set(), skipped: [] })

/** Moves `acked` over the numbers acked ahead and the skipped ranges that now join it. */
const advance = (self: WalAcks): void => {
  while (true) {
    const gap = self.skipped[0]
    if (gap !== undefined && gap.from <= self.acked) {
      self.acked = Math.max(self.acked, gap.to)
      self.skipped.shift()
      continue
    }
    if (self.ahead.size > 0 && self.ahead.delete(self.acked)) {
      self.acked++
      continue
    }
    return
  }
}

/** Records the ack of number `n`: `true` when `acked` moved. */
export const ack = (self: WalAcks, n: number): boolean => {
  if (n < self.acked) return false
  if (n > self.acked) {
    self.ahead.add(n)
    return false
  }
  self.acked++
  advance(self)
  return true
}

/** Records the ack of number `n` and of every number before it: `true` when `acked` moved. */
export const ackUpTo = (self: WalAcks, n: number): boolean => {
  if (n < self.acked) return false
  self.acked = n + 1
  if (self.ahead.size > 0) for (const m of self.ahead) if (m <= n) self.ahead.delete(m)
  advance(self)
  return true
}

/** Numbers `from` to `to - 1` will never be handed out: acks step over them. */
export const skip = (self: WalAcks, from: number, to: number): void => {
  if (to <= from) return
  self.skipped.push({ from, to })
  advance(self)
}
