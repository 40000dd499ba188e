/**
 * `Heap`: the V8 settings of the `wpc` process, in two phases (docs/performance.md, "Footprint").
 * - For the whole run, the old generation grows by 30% at a time: under a steady stream of short-lived
 *   events V8 grows it in large steps (up to 4x its live size at a time), and a 2M-line tcp -> file run
 *   holding about 20 MB live peaked at 170-185 MB of RSS; growing by 30% kept it near 120 MB at the
 *   same throughput.
 * - While `wpc` starts (loading its code, reading the project, building the pipeline), code that runs
 *   once: no optimizing or baseline compiler (their machine code alone is 4 MB of the executable paged
 *   in, for code never run again), and a young generation that does not grow past its first 1 MB
 *   (start-up keeps most of what it allocates, so V8 would grow it to 16 MB and keep it). `settle`,
 *   once the pipeline is built, compacts the heap once (an idle `wpc run` then holds 20 MB less), and
 *   `warm` restores V8's defaults for the run once the process is busy: an idle `wpc run` stays in the
 *   start-up phase. The bundle (`scripts/build.mjs`) turns the optimizing compiler off in its first
 *   statement, before its own top level runs; `configure` then sets the whole phase.
 * - In the run, the young generation grows to 12 MiB semi-spaces at most, not V8's 16
 *   (`youngSemiSpaceMiB`: 8 MB less at the peak of a tcp -> file run, at the same throughput).
 * Applies to `wpc` only: the library never changes the flags of the application that imports it. A flag
 * given to node by the operator wins over both phases.
 *
 * @since 0.1.0
 */
import { PerformanceObserver } from "node:perf_hooks"
import * as v8 from "node:v8"
import * as vm from "node:vm"

/** How much V8 grows the old generation after a full GC, in percent of its size (V8's `--heap-growing-percent`). */
export const growingPercent = 30

/** A V8 flag `wpc` sets while it starts, and the value (V8's default) `settle` gives it back for the run. */
export interface StartupFlag {
  readonly name: string
  readonly startup: string
  readonly run: string
}

/** The flags of the start-up phase: the optimizing and baseline compilers off, a young generation that does not grow. */
export const startupFlags: ReadonlyArray<StartupFlag> = [
  { name: "turbofan", startup: "--no-turbofan", run: "--turbofan" },
  { name: "sparkplug", startup: "--no-sparkplug", run: "--sparkplug" },
  { name: "semi-space-growth-factor", startup: "--semi-space-growth-factor=1", run: "--semi-space-growth-factor=2" }
]

/** Other spellings of a flag: V8 accepts `_` for `-`, `--no-` negations, and `--opt` for `--turbofan`. */
const spellings = (name: string): ReadonlyArray<string> => {
  const names = name === "turbofan" ? [name, "opt"] : [name]
  return names.flatMap((n) => [n, n.replaceAll("-", "_")]).flatMap((n) => [`--${n}`, `--no-${n}`, `--no_${n}`])
}

/** `true` when `execArgv` (the node flags the process was started with) sets the V8 flag `name` (default: `heap-growing-percent`). */
export const setByUser = (execArgv: ReadonlyArray<string>, name = "heap-growing-percent"): boolean =>
  execArgv.some((a) => spellings(name).some((s) => a === s || a.startsWith(`${s}=`)))

/**
 * Sets V8's heap growing factor to `growingPercent` and, with `startup`, the start-up flags, each unless
 * `execArgv` sets it. V8 reads these flags when it uses them (at each full GC, each scavenge, each
 * tier-up decision), so setting them after the process started takes effect (unlike the sizes of the
 * young generation, fixed at start).
 */
export const configure = (execArgv: ReadonlyArray<string> = process.execArgv, startup = true): void => {
  if (!setByUser(execArgv)) v8.setFlagsFromString(`--heap-growing-percent=${growingPercent}`)
  if (startup) for (const flag of startupFlags) if (!setByUser(execArgv, flag.name)) v8.setFlagsFromString(flag.startup)
}

/** One compacting full GC that also drops unused bytecode: the pages start-up left partly filled are emptied and given back. */
const compact = (): void => {
  v8.setFlagsFromString("--expose-gc")
  // the `gc` function exists only in contexts created after the flag was set
  const gc = vm.runInNewContext("gc") as () => void
  v8.setFlagsFromString("--no-expose-gc")
  v8.setFlagsFromString("--compact-on-every-full-gc")
  // the bytecode of what ran only to start (loading, the project, the build) goes too; what runs again
  // is compiled again when it does (1 MB of an idle `wpc run`; the GC took 30 ms instead of 24)
  v8.setFlagsFromString("--stress-flush-code")
  gc()
  v8.setFlagsFromString("--no-stress-flush-code")
  v8.setFlagsFromString("--no-compact-on-every-full-gc")
}

let settled = false

/** Whether `settle` has run: the start-up phase is over. */
export const isSettled = (): boolean => settled

let warmed = false

/** Whether `warm` has run: V8's compilers and young generation are the run's. */
export const isWarm = (): boolean => warmed

/**
 * The size (MiB) of each of the young generation's two semi-spaces in the run, at most. V8 grows them to
 * 16 MiB under a steady stream of events; at 12 a 2M-line tcp -> file run peaked at 109-113 MB instead
 * of 117-123, at the same throughput; at 8, at 102-106 MB, 7-13% slower (docs/performance.md,
 * "Footprint", fourth round).
 */
export const youngSemiSpaceMiB = 12

/** What the young generation holds now (one semi-space: used and available), in bytes. */
const youngBytes = (): number => {
  const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space")
  return young === undefined ? 0 : young.space_used_size + young.space_available_size
}

const isPowerOfTwo = (n: number): boolean => Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0

/**
 * The young generation's next growth factor from `nowMiB` toward `targetMiB` (semi-space sizes): the
 * smallest that leaves a path of doublings to the target (1 MiB: x3, then x2, x2 to 12), as V8's own
 * doublings are; 1 at the target, or where any growth would pass it.
 */
export const growthTo = (targetMiB: number, nowMiB: number): number => {
  for (let f = 2; nowMiB * f <= targetMiB; f++) if (isPowerOfTwo(targetMiB / (nowMiB * f))) return f
  return 1
}

/**
 * Lets the young generation grow (as V8 does, when scavenges keep more than it holds) up to
 * `youngSemiSpaceMiB`, no further. Its size limit is fixed when node starts, but not its growth factor:
 * after each GC the factor is set to `growthTo`'s, and to 1 once it is there (then the GC observer
 * stops). It grows only when the run needs it, step by step: an idle `wpc` keeps its 1 MiB.
 */
const capYoung = (): void => {
  const set = (): number => {
    const factor = growthTo(youngSemiSpaceMiB, Math.max(1, Math.round(youngBytes() / (1024 * 1024))))
    v8.setFlagsFromString(`--semi-space-growth-factor=${factor}`)
    return factor
  }
  if (set() === 1) return
  const observer = new PerformanceObserver(() => {
    if (set() === 1) observer.disconnect()
  })
  observer.observe({ entryTypes: ["gc"] })
}

/**
 * V8's defaults back for the start-up flags `execArgv` does not set (once; `settle` calls it when work
 * starts), but for the young generation, which grows to `youngSemiSpaceMiB` at most (unless `execArgv`
 * sizes it or sets its growth).
 */
export const warm = (execArgv: ReadonlyArray<string> = process.execArgv): void => {
  if (warmed) return
  warmed = true
  for (const flag of startupFlags) if (!setByUser(execArgv, flag.name)) v8.setFlagsFromString(flag.run)
  if (!setByUser(execArgv, "semi-space-growth-factor") && !setByUser(execArgv, "max-semi-space-size")) capYoung()
}

/** How often a settled, idle `wpc run` looks whether work has started (an unref'd timer, stopped by `warm`). */
export const busyCheckMillis = 100

/**
 * CPU time within one `busyCheckMillis` that is work: 2% of a core. An idle `wpc run` uses none (0 clock
 * ticks in 10 s, measured); a steady trickle of events that stays below it runs in the interpreter, which
 * costs little at such a rate.
 */
export const busyMicros = 2_000

/**
 * Ends the start-up phase (once): one compacting GC; the start-up flags then stay until the process is
 * busy (2 ms of CPU in 100 ms: its first events), when `warm` gives V8's defaults back. An
 * idle `wpc run` thus never has the optimizing compiler page in its machine code (3-4 MB) for the code
 * that ran once.
 */
export const settle = (execArgv: ReadonlyArray<string> = process.execArgv): void => {
  if (settled) return
  settled = true
  compact()
  let last = process.cpuUsage()
  const timer = setInterval(() => {
    const used = process.cpuUsage(last)
    last = process.cpuUsage()
    if (used.user + used.system < busyMicros) return
    clearInterval(timer)
    warm(execArgv)
  }, busyCheckMillis)
  timer.unref()
}
