/**
 * The `wpc` executable. Loading the program takes seconds (under tsx): SIGINT/SIGTERM are held from
 * the first line (see `EarlySignals`), V8 is set for start-up and the heap to grow in small steps (see
 * `Heap`), then the program is loaded and run (see `program.ts`).
 *
 * @since 0.1.0
 */
import * as EarlySignals from "./early-signals.js"
import * as Heap from "./heap.js"

EarlySignals.hold()
// the start-up phase is for compiled code: from a checkout (under tsx) start-up runs tsx's transforms,
// 20% more CPU without the optimizing compiler (docs/performance.md, "Footprint")
Heap.configure(process.execArgv, !import.meta.url.endsWith(".ts"))
await import("./program.js")
