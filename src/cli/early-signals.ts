/**
 * `EarlySignals`: SIGINT/SIGTERM that arrive while `wpc` loads its modules (seconds, under tsx), before a
 * command can answer them. They are held, not acted on: `wpc run` takes a held one as a Stop while it
 * starts (see `StartupStop`); for every other command it is released, and ends the process as Node's
 * default would have. A second one exits at once (130). This module imports nothing, so it holds signals
 * from the first lines `wpc` runs.
 *
 * @since 0.1.0
 */

/** The signals held. */
const signals: ReadonlyArray<NodeJS.Signals> = ["SIGINT", "SIGTERM"]

let held: NodeJS.Signals | undefined
let holding = false

const onSignal = (signal: NodeJS.Signals): void => {
  if (held !== undefined) {
    process.stderr.write(`[wpc] second ${signal}: exiting now\n`)
    process.exit(130)
  }
  held = signal
}

/** Starts holding SIGINT/SIGTERM. */
export const hold = (): void => {
  if (holding) return
  holding = true
  for (const s of signals) process.on(s, onSignal)
}

/** Stops holding; the signal that arrived meanwhile, if one did, is now the caller's to answer. */
export const take = (): NodeJS.Signals | undefined => {
  if (holding) {
    holding = false
    for (const s of signals) process.off(s, onSignal)
  }
  const signal = held
  held = undefined
  return signal
}

/** Stops holding; a signal that arrived meanwhile gets Node's default action now (the process ends by it). */
export const release = (): void => {
  const signal = take()
  if (signal !== undefined) process.kill(process.pid, signal)
}
