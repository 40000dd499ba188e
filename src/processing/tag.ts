/**
 * The `tag` processor: copies the text of record fields into tags, so that sink group filters, which
 * see tags, can route on them (`fields = { status = "http_status" }`). A field that is not there leaves
 * its tag as it was (unset, unless the source set it); a field that is there replaces the tag's value.
 *
 * @since 0.2.0
 */
import { Effect, Either, Schema } from "effect"
import * as ParamMap from "../config/param.js"
import { ConfigError } from "../errors/config.js"
import * as DataRecord from "../model/record.js"
import * as Tags from "../model/tags.js"
import * as SourceEvent from "../source/event.js"
import * as FieldPath from "./field-path.js"
import * as ProcessorKind from "./processor-kind.js"
import * as RecordStep from "./record-step.js"

/** `tag` params: `fields`, field names (or dotted paths) to the tag keys that get their text. */
export const Params = Schema.Struct({
  fields: Schema.Record({ key: Schema.String, value: Schema.NonEmptyTrimmedString })
})

/** Decoded `tag` params. */
export type Params = typeof Params.Type

/** One copy: from a field to a tag key. */
interface Copy {
  readonly from: FieldPath.FieldPath
  readonly key: string
}

/** The copies of `fields`; none, or a bad path, is a `ConfigError` naming the key. */
const copiesOf = (fields: Params["fields"], where: string): Either.Either<ReadonlyArray<Copy>, ConfigError> => {
  const names = Object.keys(fields)
  if (names.length === 0) {
    return Either.left(new ConfigError({ detail: "no fields to tag", path: `${where}.fields`, expected: `a table such as { status = "http_status" }` }))
  }
  const out: Array<Copy> = []
  for (const name of names) {
    const from = FieldPath.parse(name, ParamMap.formatPath(where, ["fields", name]))
    if (Either.isLeft(from)) return Either.left(from.left)
    out.push({ from: from.right, key: fields[name]! })
  }
  return Either.right(out)
}

/** The step: each present field's text set as its tag; the same event when no tag changes. */
const tagOf = (copies: ReadonlyArray<Copy>) => (event: SourceEvent.SourceEvent) => {
  const record = event.record
  if (record === undefined) return RecordStep.noRecord("tag")
  let tags = event.tags
  for (const c of copies) {
    const value = FieldPath.get(record, c.from)
    if (value !== undefined) tags = Tags.set(tags, c.key, DataRecord.text(value))
  }
  return tags === event.tags ? event : SourceEvent.update(event, { tags })
}

/** The `tag` kind. */
export const kind: ProcessorKind.ProcessorKind = ProcessorKind.sync({
  kind: "tag",
  description: "copies record fields into tags for routing: fields = { status = \"http_status\" }",
  params: Params,
  make: (params, _ctx, where) => Effect.map(copiesOf(params.fields, where), (copies) => ({ step: tagOf(copies) }))
})
