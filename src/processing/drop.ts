/**
 * The `drop` processor: drops the events that match a filter (`filter = '$level == "debug"'`), in the
 * language of sink group filters (docs/filters.md), which can test record fields as well as tags. An
 * event without a record is tested too: its field conditions are false.
 *
 * @since 0.2.0
 */
import { Effect, Either, Schema } from "effect"
import { ConfigError } from "../errors/config.js"
import * as Filter from "../runtime/filter.js"
import type * as SourceEvent from "../source/event.js"
import * as Processor from "./processor.js"
import * as ProcessorKind from "./processor-kind.js"

/** `drop` params: `filter`, the events to drop. */
export const Params = Schema.Struct({
  filter: Schema.String
})

/** Decoded `drop` params. */
export type Params = typeof Params.Type

/** The filter of `text`; an empty one (it would drop everything) or a syntax error is a `ConfigError` at `where`. */
const filterOf = (text: string, where: string): Either.Either<Filter.Filter, ConfigError> =>
  text.trim().length === 0
    ? Either.left(new ConfigError({ detail: "empty filter: it would drop every event", path: where, suggestion: `write filter = "true" to drop every event` }))
    : Filter.parse(text, where)

/** The `drop` kind. */
export const kind: ProcessorKind.ProcessorKind = ProcessorKind.sync({
  kind: "drop",
  description: "drops the events a filter matches: filter = '$level == \"debug\"'",
  params: Params,
  make: (params, _ctx, where) =>
    Effect.map(filterOf(params.filter, `${where}.filter`), (filter) => ({
      step: (event: SourceEvent.SourceEvent) => (Filter.matches(filter, event) ? Processor.dropped : event)
    }))
})
