/**
 * `Heap`: the V8 heap setting of the `wpc` process. Under a steady stream of short-lived events V8
 * grows the old generation in large steps (up to 4x its live size at a time): a 2M-line tcp -> file
 * run holding about 20 MB live peaked at 170-185 MB of RSS. Growing it by 30% at a time collects
 * sooner and kept the same runs near 120 MB at the same throughput (docs/performance.md, "Footprint").
 * Applies to `wpc` only: the library never changes the flags of the application that imports it.
 *
 * @since 0.1.0
 */
import * as v8 from "node:v8"

/** How much V8 grows the old generation after a full GC, in percent of its size (V8's `--heap-growing-percent`). */
export const growingPercent = 30

/** `true` when the process was started with its own `--heap-growing-percent` (which then wins). */
export const setByUser = (execArgv: ReadonlyArray<string>): boolean =>
  execArgv.some((a) => a.startsWith("--heap-growing-percent") || a.startsWith("--heap_growing_percent"))

/**
 * Sets V8's heap growing factor to `growingPercent` unless `execArgv` sets it. V8 reads it at every full
 * GC, so setting it at start-up takes effect (unlike the sizes of the young generation, fixed at start).
 */
export const configure = (execArgv: ReadonlyArray<string> = process.execArgv): void => {
  if (!setByUser(execArgv)) v8.setFlagsFromString(`--heap-growing-percent=${growingPercent}`)
}
