/**
 * `StartupHangup`: SIGHUP while `wpc run` starts — loading the project, building its sinks and sources —
 * before the runner answers it with a reload. Node's default would end the process; it is held instead,
 * with a line saying so, and handed to the runner's handler the moment that one is installed: the
 * pipeline then reloads as soon as it runs (the project may have changed after it was read). A SIGHUP
 * held while `wpc` loaded its modules (see `EarlySignals`) counts too; several count as one.
 *
 * @since 0.1.0
 */
import { Effect, type Scope } from "effect"
import * as EarlySignals from "./early-signals.js"

/** Holds SIGHUP for the Scope, or until some other handler of it is installed (the runner's), which then gets a held one. */
export const hold = (print: (line: string) => Effect.Effect<void>): Effect.Effect<void, never, Scope.Scope> =>
  Effect.asVoid(Effect.acquireRelease(
    Effect.sync(() => {
      let held = false
      let aside = false
      const onHangup = () => {
        if (aside) return
        if (!held) Effect.runFork(print("[wpc] SIGHUP while starting: the project is read again once the pipeline runs"))
        held = true
      }
      const stepAside = () => {
        aside = true
        process.off("SIGHUP", onHangup)
        process.off("newListener", onNewListener)
      }
      // Node tells of a listener before adding it: the held SIGHUP goes to it once it is added
      const onNewListener = (event: string | symbol, listener: unknown) => {
        if (event !== "SIGHUP" || listener === onHangup) return
        aside = true
        process.nextTick(() => {
          stepAside()
          if (held) process.emit("SIGHUP", "SIGHUP")
        })
      }
      process.on("SIGHUP", onHangup)
      process.on("newListener", onNewListener)
      if (EarlySignals.takeHangup()) onHangup()
      return stepAside
    }),
    (stepAside) => Effect.sync(stepAside)
  ))
