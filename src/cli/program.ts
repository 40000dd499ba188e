/**
 * The `wpc` program: runs the command line on `process.argv` and sets the exit code (`main.ts` loads it
 * once it holds early signals).
 *
 * Not `NodeRuntime.runMain`: it answers SIGINT/SIGTERM by interrupting the whole program, which
 * would cut `wpc run`'s phased Stop short. `wpc run` answers them itself (while it starts: stop the
 * start-up; once it runs: the engine's Stop; a second one: exit now); the other commands keep Node's
 * default.
 *
 * Log lines go to stderr: stdout carries only what the command answers (`wpc run --json`'s report
 * must parse even when connectors logged warnings during the run). URL credentials in them are masked.
 * Help and messages carry no ANSI colour on a stream that is not a terminal or with `NO_COLOR` set.
 *
 * @since 0.1.0
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Cause, Effect, Exit, Logger, Runtime, RuntimeFlags } from "effect"
import * as EarlySignals from "./early-signals.js"
import * as LogFormat from "./log-format.js"
import * as PlainConsole from "./plain-console.js"
import * as Secrets from "./secrets.js"
import { run } from "./wpc.js"

// keeps the process alive while the program waits on nothing but itself (as runMain does)
const keepAlive = setInterval(() => {}, 2 ** 31 - 1)

/** The default logfmt logger, writing to stderr, URL credentials masked (`wpc run --log-format json` swaps it). */
const stderrLogger = Logger.replace(Logger.defaultLogger, LogFormat.text)

/** How long what the program left behind may keep the process alive once it has ended. */
const lingerMillis = 1000

// the command is the first argument that is not an option; only `wpc run` answers a signal held while loading
if (process.argv.slice(2).find((a) => !a.startsWith("-")) !== "run") EarlySignals.release()

// Effect's fiber metrics (effect_fiber_*) are off from the root fiber on: they cost metric updates on
// every fiber start and end, and `wpc run --metrics-*` exports only what docs/metrics.md lists (the
// wpc_process_* metrics tell the process's health)
const runtime = Runtime.disableRuntimeFlag(Runtime.defaultRuntime, RuntimeFlags.RuntimeMetrics)

Runtime.runFork(runtime)(run(process.argv).pipe(PlainConsole.provide, Effect.provide(NodeContext.layer), Effect.provide(stderrLogger))).addObserver((exit) => {
  clearInterval(keepAlive)
  // `wpc run` ended before it could take a held signal (a usage error, --help): the signal ends the process now
  EarlySignals.release()
  if (Exit.isSuccess(exit)) process.exitCode = exit.value
  else {
    process.stderr.write(`wpc: ${Secrets.text(Cause.pretty(exit.cause))}\n`)
    process.exitCode = 70
  }
  // every Scope is closed and the report printed: a client call that cannot be abandoned (a connect
  // interrupted by a Stop while wpc started) may not hold the exit; the timer itself keeps nothing alive
  setTimeout(() => process.exit(), lingerMillis).unref()
})
