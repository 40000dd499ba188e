/**
 * The `wpc` executable. Loading the program takes seconds (under tsx): SIGINT/SIGTERM are held from
 * the first line (see `EarlySignals`), then the program is loaded and run (see `program.ts`).
 *
 * @since 0.1.0
 */
import * as EarlySignals from "./early-signals.js"

EarlySignals.hold()
await import("./program.js")
