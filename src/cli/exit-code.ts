/**
 * `wpc`'s exit codes, and `Exit`: the failure a command ends with once it has printed why.
 *
 * @since 0.1.0
 */
import { Data } from "effect"

/** 0: success. */
export const ok = 0
/** 1: the project (or the target of `wpc init`) has configuration errors; each was printed. */
export const configErrors = 1
/** 2: the command line itself is wrong (unknown command or option, missing argument). */
export const usage = 2

/** Ends a command with `code` after it has printed its own report (nothing more is printed). */
export class Exit extends Data.TaggedError("WpcExit")<{ readonly code: number }> {}
