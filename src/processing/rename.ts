/**
 * The `rename` processor: gives fields of the record new names (`fields = { src = "src_ip" }`). The
 * renames happen at once, so `{ a = "b", b = "a" }` swaps two fields. A field that is not there is
 * skipped; a field already named as a target is replaced.
 *
 * @since 0.2.0
 */
import { Effect, Either, Schema } from "effect"
import * as ParamMap from "../config/param.js"
import { ConfigError } from "../errors/config.js"
import { ProcessorError } from "../errors/processor.js"
import type * as DataRecord from "../model/record.js"
import * as FieldPath from "./field-path.js"
import * as ProcessorKind from "./processor-kind.js"
import * as RecordStep from "./record-step.js"

/** `rename` params: `fields`, old names (or dotted paths) to new ones. */
export const Params = Schema.Struct({
  fields: Schema.Record({ key: Schema.String, value: Schema.String })
})

/** Decoded `rename` params. */
export type Params = typeof Params.Type

/** One rename. */
interface Rename {
  readonly from: FieldPath.FieldPath
  readonly to: FieldPath.FieldPath
}

/** The renames of `fields` (a name kept as it is dropped out); a bad path or two renames to one name is a `ConfigError`. */
const renamesOf = (fields: Params["fields"], where: string): Either.Either<ReadonlyArray<Rename>, ConfigError> => {
  const out: Array<Rename> = []
  const targets = new Map<string, string>()
  const names = Object.keys(fields)
  if (names.length === 0) {
    return Either.left(new ConfigError({ detail: "no fields to rename", path: `${where}.fields`, expected: `a table such as { src = "src_ip" }` }))
  }
  for (const name of names) {
    const at = ParamMap.formatPath(where, ["fields", name])
    const from = FieldPath.parse(name, at)
    if (Either.isLeft(from)) return Either.left(from.left)
    const to = FieldPath.parse(fields[name]!, at)
    if (Either.isLeft(to)) return Either.left(to.left)
    const earlier = targets.get(to.right.text)
    if (earlier !== undefined) {
      return Either.left(
        new ConfigError({ detail: `${JSON.stringify(earlier)} and ${JSON.stringify(name)} are both renamed to ${JSON.stringify(to.right.text)}`, path: at })
      )
    }
    targets.set(to.right.text, name)
    if (name !== to.right.text) out.push({ from: from.right, to: to.right })
  }
  return Either.right(out)
}

/**
 * Top-level names only: one pass over the fields, each renamed field keeping its place and meta; a field
 * already named as the target of a rename that happens is left out (it is replaced).
 */
const renameTopLevel = (renames: ReadonlyArray<Rename>) => {
  const from = renames.map((r) => r.from.text)
  const to = renames.map((r) => r.to.text)
  return (record: DataRecord.DataRecord): DataRecord.DataRecord => {
    const fields = record.fields
    let present = 0
    for (const f of fields) if (from.includes(f.name)) present++
    if (present === 0) return record
    const out: Array<DataRecord.DataField> = []
    for (const f of fields) {
      const i = from.indexOf(f.name)
      if (i >= 0) {
        out.push({ name: to[i]!, meta: f.meta, value: f.value })
        continue
      }
      const j = to.indexOf(f.name)
      if (j >= 0 && FieldPath.hasName(record, from[j]!)) continue
      out.push(f)
    }
    return { fields: out }
  }
}

/** Dotted paths too: the values are read, their fields removed, then set under the new paths. */
const renamePaths = (renames: ReadonlyArray<Rename>) => (record: DataRecord.DataRecord): DataRecord.DataRecord | ProcessorError => {
  const moved: Array<readonly [FieldPath.FieldPath, DataRecord.Value]> = []
  let out = record
  for (const r of renames) {
    const value = FieldPath.get(record, r.from)
    if (value === undefined) continue
    moved.push([r.to, value])
    out = FieldPath.remove(out, r.from)
  }
  for (const [to, value] of moved) {
    const next = FieldPath.set(out, to, value)
    if (next instanceof ProcessorError) return next
    out = next
  }
  return out
}

/** The `rename` kind. */
export const kind: ProcessorKind.ProcessorKind = ProcessorKind.sync({
  kind: "rename",
  description: "renames record fields: fields = { old = \"new\" }",
  params: Params,
  make: (params, _ctx, where) =>
    Effect.map(renamesOf(params.fields, where), (renames) => ({
      step: RecordStep.make(
        "rename",
        renames.every((r) => FieldPath.isTopLevel(r.from) && FieldPath.isTopLevel(r.to)) ? renameTopLevel(renames) : renamePaths(renames)
      )
    }))
})
