/**
 * The `set` processor: sets fields of the record to values given in the project, typed as written in
 * TOML (a string is `chars`, a whole number `digit`, a fraction `float`, a boolean `bool`, a table `obj`,
 * an array `array`). A string with `${name}` in it is a template filled from the record's fields.
 *
 * @since 0.2.0
 */
import { Effect, Either, Schema } from "effect"
import * as ParamMap from "../config/param.js"
import { ConfigError } from "../errors/config.js"
import { ProcessorError, processorError } from "../errors/processor.js"
import * as DataRecord from "../model/record.js"
import * as FieldPath from "./field-path.js"
import * as ProcessorKind from "./processor-kind.js"
import * as RecordStep from "./record-step.js"

/** `set` params: `fields`, field names (or dotted paths) to values. */
export const Params = Schema.Struct({
  fields: Schema.Record({ key: Schema.String, value: ParamMap.Json })
})

/** Decoded `set` params. */
export type Params = typeof Params.Type

/** A template: literal texts and field references, in order. */
type Template = ReadonlyArray<string | FieldPath.FieldPath>

/** One field to set: where, and a constant value or a template (with its text, for errors). */
type Target =
  | { readonly _tag: "Const"; readonly path: FieldPath.FieldPath; readonly value: DataRecord.Value }
  | { readonly _tag: "Template"; readonly path: FieldPath.FieldPath; readonly template: Template; readonly source: string }

/**
 * Reads the `${path}` references in `text` (`$$` is a literal `$`) into a template.
 * An unclosed or bad reference is a `ConfigError` at `where`.
 */
const parseTemplate = (text: string, where: string | undefined): Either.Either<Template, ConfigError> => {
  if (!text.includes("$")) return Either.right([text])
  const parts: Array<string | FieldPath.FieldPath> = []
  let literal = ""
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c !== "$" || (text[i + 1] !== "{" && text[i + 1] !== "$")) {
      literal += c
      continue
    }
    if (text[i + 1] === "$") {
      literal += "$"
      i++
      continue
    }
    const close = text.indexOf("}", i + 2)
    if (close < 0) {
      return Either.left(new ConfigError({ detail: `unclosed "\${" at offset ${i} in template ${JSON.stringify(text)}`, path: where, suggestion: "write $$ for a literal $" }))
    }
    const ref = FieldPath.parse(text.slice(i + 2, close).trim(), where)
    if (Either.isLeft(ref)) return Either.left(new ConfigError({ ...ref.left.fields, detail: `${ref.left.detail} in template ${JSON.stringify(text)}` }))
    if (literal.length > 0) parts.push(literal)
    literal = ""
    parts.push(ref.right)
    i = close
  }
  if (literal.length > 0) parts.push(literal)
  return Either.right(parts)
}

/** The value `target` sets on `record`: its constant, or its template's text (an error naming a field it lacks). */
const valueOf = (target: Target, record: DataRecord.DataRecord): DataRecord.Value | ProcessorError => {
  if (target._tag === "Const") return target.value
  let out = ""
  for (const part of target.template) {
    if (typeof part === "string") {
      out += part
      continue
    }
    const value = FieldPath.get(record, part)
    if (value === undefined) return processorError(`set: no field ${JSON.stringify(part.text)} for template ${JSON.stringify(target.source)}`)
    out += DataRecord.text(value)
  }
  return DataRecord.chars(out)
}

/** The targets of `fields`, in sorted key order (as the project gives them); a bad name or template is a `ConfigError` naming its key. */
const targetsOf = (fields: Params["fields"], where: string): Either.Either<ReadonlyArray<Target>, ConfigError> => {
  const names = Object.keys(fields)
  if (names.length === 0) {
    return Either.left(new ConfigError({ detail: "no fields to set", path: `${where}.fields`, expected: `a table such as { env = "prod" }` }))
  }
  const values = DataRecord.fromJson(fields, `${where}.fields`)
  if (Either.isLeft(values)) return Either.left(values.left)
  const out: Array<Target> = []
  const sorted = values.right.fields.slice().sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
  for (const field of sorted) {
    const at = ParamMap.formatPath(where, ["fields", field.name])
    const path = FieldPath.parse(field.name, at)
    if (Either.isLeft(path)) return Either.left(path.left)
    if (field.value._tag !== "Chars") {
      out.push({ _tag: "Const", path: path.right, value: field.value })
      continue
    }
    const template = parseTemplate(field.value.value, at)
    if (Either.isLeft(template)) return Either.left(template.left)
    out.push(
      template.right.every((part) => typeof part === "string")
        ? { _tag: "Const", path: path.right, value: DataRecord.chars(template.right.join("")) }
        : { _tag: "Template", path: path.right, template: template.right, source: field.value.value }
    )
  }
  return Either.right(out)
}

/** Sets top-level fields on one copy of the fields array; templates read `record`, the record as it came. */
const setTopLevel = (targets: ReadonlyArray<Target>) => (record: DataRecord.DataRecord): DataRecord.DataRecord | ProcessorError => {
  const fields = record.fields.slice()
  for (const t of targets) {
    const value = valueOf(t, record)
    if (value instanceof ProcessorError) return value
    const name = t.path.text
    let at = 0
    while (at < fields.length && fields[at]!.name !== name) at++
    fields[at] = DataRecord.field(name, value)
  }
  return { fields }
}

/** Sets fields at dotted paths too, one after the other; templates read `record`, the record as it came. */
const setPaths = (targets: ReadonlyArray<Target>) => (record: DataRecord.DataRecord): DataRecord.DataRecord | ProcessorError => {
  let out = record
  for (const t of targets) {
    const value = valueOf(t, record)
    if (value instanceof ProcessorError) return value
    const next = FieldPath.set(out, t.path, value)
    if (next instanceof ProcessorError) return next
    out = next
  }
  return out
}

/** The `set` kind. */
export const kind: ProcessorKind.ProcessorKind = ProcessorKind.sync({
  kind: "set",
  description: "sets record fields to constant values or to templates of other fields (\"${a}-${b}\")",
  params: Params,
  make: (params, _ctx, where) =>
    Effect.map(targetsOf(params.fields, where), (targets) => ({
      step: RecordStep.make("set", targets.every((t) => FieldPath.isTopLevel(t.path)) ? setTopLevel(targets) : setPaths(targets))
    }))
})
