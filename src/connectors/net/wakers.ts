/**
 * `Wakers`: the callbacks of the fibers parked until something changes in an intake (consumers waiting
 * for data, producers waiting for room, a close waiting for the writes to settle) — added when one
 * parks, removed when it is interrupted, and woken all at once.
 *
 * @since 0.1.0
 */

/** The parked callbacks of one kind of waiter. */
export interface Wakers {
  /** How many are parked. */
  readonly size: () => number
  /** Parks `wake` until the next `wakeAll`. */
  readonly add: (wake: () => void) => void
  /** Unparks `wake` without calling it (its waiter was interrupted). */
  readonly remove: (wake: () => void) => void
  /** Calls every parked callback once, in the order they were parked; one parked meanwhile waits for the next `wakeAll`. */
  readonly wakeAll: () => void
}

/** No callbacks parked yet. */
export const make = (): Wakers => {
  let parked: Array<() => void> = []
  return {
    size: () => parked.length,
    add: (wake) => {
      parked.push(wake)
    },
    remove: (wake) => {
      const at = parked.indexOf(wake)
      if (at !== -1) parked.splice(at, 1)
    },
    wakeAll: () => {
      if (parked.length === 0) return
      const waking = parked
      parked = []
      for (const wake of waking) wake()
    }
  }
}
