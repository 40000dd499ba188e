/**
 * The replay window of the `victoriametrics` sink. VictoriaMetrics answers a push once it holds the
 * samples in memory and writes them to disk some seconds later, so a crash (kill -9, OOM, power loss)
 * loses what it accepted last. The sink keeps each accepted body for `windowMs` (at most `maxBytes` in
 * all, oldest dropped first) and, after its connection was lost and the server restarted, pushes the
 * bodies it kept from before the loss again before anything new: the samples the server lost are stored
 * again, those it had kept are stored twice (the same series, time and value).
 *
 * @since 0.2.0
 */

/** A body the server accepted: its bytes, how many samples it holds, when, and how many connection losses had happened then. */
interface Kept {
  readonly body: Buffer
  readonly samples: number
  readonly pushedAt: number
  readonly losses: number
}

/** The bodies a sink keeps, oldest first (so those kept before a loss come before those kept after it). */
export interface ReplayWindow {
  /** Keeps `body` (accepted at `now`, when `losses` connection losses had happened); drops what is too old or too much. */
  readonly keep: (body: Buffer, samples: number, now: number, losses: number) => void
  /** The oldest kept body accepted before the `losses`th loss and not older than the window at `now`, or `undefined`. */
  readonly nextDue: (now: number, losses: number) => { readonly body: Buffer; readonly samples: number } | undefined
  /** The body `nextDue` gave was pushed again at `now` (after `losses` losses): it is kept anew, as the newest. */
  readonly replayed: (now: number, losses: number) => void
  /** The server did not lose what it was given before the `losses`th loss: nothing kept so far is due for it. */
  readonly settle: (losses: number) => void
  /** Samples dropped from the window for want of room before their time was up (and not yet reported). */
  readonly takeEvicted: () => number
}

/** A window of `windowMs` holding at most `maxBytes` of bodies (`windowMs` 0 keeps nothing). */
export const make = (windowMs: number, maxBytes: number): ReplayWindow => {
  const kept: Array<Kept> = []
  let head = 0
  let bytes = 0
  let evicted = 0

  const dropHead = (): Kept => {
    const entry = kept[head]!
    bytes -= entry.body.byteLength
    kept[head] = undefined as unknown as Kept
    head += 1
    if (head > 1024 && head * 2 > kept.length) {
      kept.splice(0, head)
      head = 0
    }
    return entry
  }

  /** Drops what is older than the window at `now` (the deque is in the order of `pushedAt`). */
  const expire = (now: number) => {
    while (head < kept.length && now - kept[head]!.pushedAt > windowMs) dropHead()
  }

  const add = (entry: Kept) => {
    kept.push(entry)
    bytes += entry.body.byteLength
    while (bytes > maxBytes && head < kept.length - 1) evicted += dropHead().samples
  }

  return {
    keep: (body, samples, now, losses) => {
      if (windowMs <= 0) return
      expire(now)
      add({ body, samples, pushedAt: now, losses })
    },
    nextDue: (now, losses) => {
      expire(now)
      const entry = kept[head]
      return entry !== undefined && entry.losses < losses ? entry : undefined
    },
    replayed: (now, losses) => {
      if (head >= kept.length) return
      const entry = dropHead()
      add({ body: entry.body, samples: entry.samples, pushedAt: now, losses })
    },
    settle: (losses) => {
      for (let i = head; i < kept.length && kept[i]!.losses < losses; i++) kept[i] = { ...kept[i]!, losses }
    },
    takeEvicted: () => {
      const n = evicted
      evicted = 0
      return n
    }
  }
}
