/**
 * `ProcessorError` (540): a processor could not handle one event (not JSON, no match, a bad cast).
 * The event is then rescued, passed on tagged, or dropped, as the processor's `on_error` says.
 *
 * @since 0.2.0
 */
import { Schema } from "effect"
import { codedFields, type CodedFacet, defineCoded, detailAndCause } from "./coded.js"

/** A processor failed on one event (540); `processor` names it. Never retried: the same input fails again. */
export class ProcessorError extends Schema.TaggedError<ProcessorError>()("ProcessorError", {
  ...codedFields,
  processor: Schema.optional(Schema.String)
}) {}
/** ProcessorError carries reason `Process` and code 540. */
export interface ProcessorError extends CodedFacet<"Process", 540> {}
defineCoded(ProcessorError, "Process", 540, false)

/** A `ProcessorError` with `detail` (and the `cause`, when there is one). */
export const processorError = (detail: string, cause?: unknown): ProcessorError => new ProcessorError(detailAndCause(detail, cause))

/** The same error, naming the processor it came from (when it does not name one yet). */
export const withProcessor = (self: ProcessorError, processor: string): ProcessorError =>
  self.processor !== undefined ? self : new ProcessorError({ ...detailAndCause(self.detail, self.cause), processor })
