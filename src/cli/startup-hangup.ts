/**
 * `StartupHangup`: SIGHUP in `wpc run` outside the runner's reload handler. Node's default would end
 * the process, losing what is in flight; this listener stays installed for the whole command instead.
 * While `wpc run` starts (loading the project, building its sinks and sources) a SIGHUP is held, with a
 * line saying so, and handed to the runner's handler the moment that one is installed: the pipeline
 * then reloads as soon as it runs (the project may have changed after it was read). A SIGHUP held while
 * `wpc` loaded its modules (see `EarlySignals`) counts too; several count as one. While the runner's
 * handler is installed this one stays silent; once it is gone (the run has ended, the report is being
 * printed) a SIGHUP is ignored, with a line.
 *
 * @since 0.1.0
 */
import { Effect, type Scope } from "effect"
import * as EarlySignals from "./early-signals.js"

/** Answers SIGHUP for the Scope wherever the runner's handler does not (see the module's doc). */
export const hold = (print: (line: string) => Effect.Effect<void>): Effect.Effect<void, never, Scope.Scope> =>
  Effect.asVoid(Effect.acquireRelease(
    Effect.sync(() => {
      let held = false
      let started = false
      const onHangup = () => {
        if (started) {
          // the runner's handler answers while it is there; after it, nothing is left to reload
          if (process.listenerCount("SIGHUP") === 1) Effect.runFork(print("[wpc] SIGHUP while the run ends: nothing to reload"))
          return
        }
        if (!held) Effect.runFork(print("[wpc] SIGHUP while starting: the project is read again once the pipeline runs"))
        held = true
      }
      // Node tells of a listener before adding it: a held SIGHUP goes to it once it is added
      const onNewListener = (event: string | symbol, listener: unknown) => {
        if (event !== "SIGHUP" || listener === onHangup || started) return
        started = true
        process.off("newListener", onNewListener)
        process.nextTick(() => {
          if (held) process.emit("SIGHUP", "SIGHUP")
        })
      }
      process.on("SIGHUP", onHangup)
      process.on("newListener", onNewListener)
      if (EarlySignals.takeHangup()) onHangup()
      return () => {
        process.off("SIGHUP", onHangup)
        process.off("newListener", onNewListener)
      }
    }),
    (remove) => Effect.sync(remove)
  ))
