/**
 * The `wpc` executable: runs the command line on `process.argv` and sets the exit code.
 *
 * Not `NodeRuntime.runMain`: it answers SIGINT/SIGTERM by interrupting the whole program, which
 * would cut `wpc run`'s phased Stop short. `wpc run` installs its own handlers (first signal:
 * Stop; second: exit now); the other commands keep Node's default.
 *
 * Log lines go to stderr: stdout carries only what the command answers (`wpc run --json`'s report
 * must parse even when connectors logged warnings during the run).
 *
 * @since 0.1.0
 */
import { NodeContext } from "@effect/platform-node"
import { Cause, Effect, Exit, Logger } from "effect"
import { run } from "./wpc.js"

// keeps the process alive while the program waits on nothing but itself (as runMain does)
const keepAlive = setInterval(() => {}, 2 ** 31 - 1)

/** The default logfmt logger, writing to stderr. */
const stderrLogger = Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))

Effect.runFork(run(process.argv).pipe(Effect.provide(NodeContext.layer), Effect.provide(stderrLogger))).addObserver((exit) => {
  clearInterval(keepAlive)
  if (Exit.isSuccess(exit)) process.exitCode = exit.value
  else {
    process.stderr.write(`wpc: ${Cause.pretty(exit.cause)}\n`)
    process.exitCode = 70
  }
})
