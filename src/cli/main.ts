/**
 * The `wpc` executable: runs the command line on `process.argv` and sets the exit code.
 *
 * Not `NodeRuntime.runMain`: it answers SIGINT/SIGTERM by interrupting the whole program, which
 * would cut `wpc run`'s phased Stop short. `wpc run` installs its own handlers (first signal:
 * Stop; second: exit now); the other commands keep Node's default.
 *
 * @since 0.1.0
 */
import { NodeContext } from "@effect/platform-node"
import { Cause, Effect, Exit } from "effect"
import { run } from "./wpc.js"

// keeps the process alive while the program waits on nothing but itself (as runMain does)
const keepAlive = setInterval(() => {}, 2 ** 31 - 1)

Effect.runFork(run(process.argv).pipe(Effect.provide(NodeContext.layer))).addObserver((exit) => {
  clearInterval(keepAlive)
  if (Exit.isSuccess(exit)) process.exitCode = exit.value
  else {
    process.stderr.write(`wpc: ${Cause.pretty(exit.cause)}\n`)
    process.exitCode = 70
  }
})
