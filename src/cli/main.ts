/**
 * The `wpc` executable. Loading the program takes seconds (under tsx): SIGINT/SIGTERM are held from
 * the first line (see `EarlySignals`), the V8 heap is set to grow in small steps (see `Heap`), then the
 * program is loaded and run (see `program.ts`).
 *
 * @since 0.1.0
 */
import * as EarlySignals from "./early-signals.js"
import * as Heap from "./heap.js"

EarlySignals.hold()
Heap.configure()
await import("./program.js")
