/**
 * `KeyLedger`: the acked prefix of the rows a table source handed out, in key order. Each row's key
 * text is its ack token; acks may come in whatever order (or cumulatively, up to a token), and the ledger
 * tells the key up to which every row was acked: the checkpoint. Tokens it does not know (handed out
 * before a seek) are ignored.
 *
 * @since 0.2.0
 */

/** The rows handed out and not yet acked in order. */
export interface KeyLedger {
  /** Key texts in the order handed out, from `head` on not all acked. */
  keys: Array<string>
  /** Whether each row of `keys` was acked. */
  done: Array<boolean>
  /** The first row not acked. */
  head: number
  /** Token to its index in `keys` (for the rows from `head` on). */
  readonly index: Map<string, number>
}

/** An empty ledger. */
export const make = (): KeyLedger => ({ keys: [], done: [], head: 0, index: new Map() })

/** Records that the row of key text `key` was handed out (after every row recorded before it). */
export const handOut = (self: KeyLedger, key: string): void => {
  self.index.set(key, self.keys.length)
  self.keys.push(key)
  self.done.push(false)
}

/** Moves `head` over the acked rows; the key of the last one passed, or `undefined` when it did not move. */
const advance = (self: KeyLedger): string | undefined => {
  const start = self.head
  while (self.head < self.keys.length && self.done[self.head]) {
    self.index.delete(self.keys[self.head]!)
    self.head++
  }
  if (self.head === start) return undefined
  const last = self.keys[self.head - 1]!
  // drop the acked prefix once it is most of the arrays
  if (self.head > 1024 && self.head * 2 > self.keys.length) {
    self.keys = self.keys.slice(self.head)
    self.done = self.done.slice(self.head)
    for (const [key, i] of self.index) self.index.set(key, i - self.head)
    self.head = 0
  }
  return last
}

/** Acks the row of `token`; the new checkpoint key when every row up to a later one is now acked, else `undefined`. */
export const ack = (self: KeyLedger, token: string): string | undefined => {
  const i = self.index.get(token)
  if (i === undefined || i < self.head) return undefined
  self.done[i] = true
  return advance(self)
}

/** Acks the row of `token` and every row handed out before it; the new checkpoint key, or `undefined` when unchanged. */
export const ackUpTo = (self: KeyLedger, token: string): string | undefined => {
  const i = self.index.get(token)
  if (i === undefined || i < self.head) return undefined
  for (let k = self.head; k <= i; k++) self.done[k] = true
  return advance(self)
}

/** Forgets every row handed out (after a seek: their acks no longer move the checkpoint). */
export const reset = (self: KeyLedger): void => {
  self.keys = []
  self.done = []
  self.head = 0
  self.index.clear()
}

/** How many rows were handed out and not acked in order. */
export const pending = (self: KeyLedger): number => self.keys.length - self.head
