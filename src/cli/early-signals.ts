/**
 * `EarlySignals`: SIGINT/SIGTERM that arrive while `wpc` loads its modules (seconds, under tsx), before a
 * command can answer them. They are held, not acted on: `wpc run` takes a held one as a Stop while it
 * starts (see `StartupStop`); for every other command it is released, and ends the process as Node's
 * default would have. A second one exits at once (130). SIGHUP is held too, apart: `wpc run` reloads on it
 * once its pipeline runs (see `StartupHangup`); for every other command it is released as the others are.
 * This module imports nothing, so it holds signals from the first lines `wpc` runs.
 *
 * @since 0.1.0
 */

/** The signals held. */
const signals: ReadonlyArray<NodeJS.Signals> = ["SIGINT", "SIGTERM"]

let held: NodeJS.Signals | undefined
let holding = false
let hangup = false
let holdingHangup = false

const onHangup = (): void => {
  hangup = true
}

const onSignal = (signal: NodeJS.Signals): void => {
  if (held !== undefined) {
    process.stderr.write(`[wpc] second ${signal}: exiting now\n`)
    process.exit(130)
  }
  held = signal
}

/** Starts holding SIGINT/SIGTERM, and SIGHUP. */
export const hold = (): void => {
  if (!holding) {
    holding = true
    for (const s of signals) process.on(s, onSignal)
  }
  if (!holdingHangup) {
    holdingHangup = true
    process.on("SIGHUP", onHangup)
  }
}

/** Stops holding SIGINT/SIGTERM; the one that arrived meanwhile, if one did, is now the caller's to answer. */
export const take = (): NodeJS.Signals | undefined => {
  if (holding) {
    holding = false
    for (const s of signals) process.off(s, onSignal)
  }
  const signal = held
  held = undefined
  return signal
}

/** Stops holding SIGHUP; whether one arrived meanwhile (it is now the caller's to answer). */
export const takeHangup = (): boolean => {
  if (holdingHangup) {
    holdingHangup = false
    process.off("SIGHUP", onHangup)
  }
  const arrived = hangup
  hangup = false
  return arrived
}

/** Stops holding every signal; one that arrived meanwhile gets Node's default action now (the process ends by it). */
export const release = (): void => {
  const hungUp = takeHangup()
  const signal = take()
  if (hungUp) process.kill(process.pid, "SIGHUP")
  if (signal !== undefined) process.kill(process.pid, signal)
}
