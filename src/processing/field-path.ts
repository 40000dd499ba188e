/**
 * `FieldPath`: how processors and filters name a field of a `DataRecord`: a top-level name (`status`),
 * or a dotted path into `Obj` values (`http.status`). A field whose own name is the whole text wins, so
 * a top-level field named `k8s.pod` is still reached by `k8s.pod`. `get`, `set` and `remove` never
 * change a record: they return a new one (or the same one, when nothing changes).
 *
 * @since 0.2.0
 */
import { Either } from "effect"
import { ConfigError } from "../errors/config.js"
import { type ProcessorError, processorError } from "../errors/processor.js"
import * as DataRecord from "../model/record.js"

/** A parsed field reference: the text as written and its keys (one for a top-level name). */
export interface FieldPath {
  /** The path as written: `status`, `http.status`. */
  readonly text: string
  /** The keys, outermost first: `["http", "status"]`; `[text]` for a top-level name. */
  readonly keys: ReadonlyArray<string>
}

const expected = "a field name, or a dotted path into objects such as http.status"

/**
 * Parses a field reference. An empty text or an empty key (`a..b`, `.a`, `a.`) is a `ConfigError` at
 * `where`.
 */
export const parse = (text: string, where?: string): Either.Either<FieldPath, ConfigError> => {
  const keys = text.split(".")
  if (keys.some((k) => k.length === 0)) {
    const detail = text.length === 0 ? "empty field name" : `field path ${JSON.stringify(text)} has an empty key`
    return Either.left(new ConfigError(where === undefined ? { detail, expected } : { detail, expected, path: where }))
  }
  return Either.right({ text, keys })
}

/** `true` for a top-level name (no dot). */
export const isTopLevel = (path: FieldPath): boolean => path.keys.length === 1

/** The index of the first field named `name`, or -1. */
const indexOf = (fields: ReadonlyArray<DataRecord.DataField>, name: string): number => {
  for (let i = 0; i < fields.length; i++) if (fields[i]!.name === name) return i
  return -1
}

/** `true` when a top-level field is named `name` (the whole text, dots and all). */
export const hasName = (record: DataRecord.DataRecord, name: string): boolean => indexOf(record.fields, name) >= 0

/** The value of the first field named `name`. */
const find = (fields: ReadonlyArray<DataRecord.DataField>, name: string): DataRecord.Value | undefined => {
  for (let i = 0; i < fields.length; i++) if (fields[i]!.name === name) return fields[i]!.value
  return undefined
}

/**
 * The value at `path`, or `undefined`: the first field named `path.text`; else, for a dotted path, the
 * first field named by its first key, then each further key in an `Obj`. Allocates nothing.
 */
export const get = (record: DataRecord.DataRecord, path: FieldPath): DataRecord.Value | undefined => {
  const fields = record.fields
  const exact = find(fields, path.text)
  const keys = path.keys
  if (exact !== undefined || keys.length === 1) return exact
  let value = find(fields, keys[0]!)
  for (let i = 1; i < keys.length && value !== undefined; i++) {
    value = value._tag === "Obj" ? value.value.get(keys[i]!) : undefined
  }
  return value
}

/** The record with `fields[index]` replaced by `field`. */
const replaceAt = (record: DataRecord.DataRecord, index: number, field: DataRecord.DataField): DataRecord.DataRecord => {
  const fields = record.fields.slice()
  fields[index] = field
  return { fields }
}

/** The record with `field` added last. */
const append = (record: DataRecord.DataRecord, field: DataRecord.DataField): DataRecord.DataRecord => {
  const fields = record.fields.slice()
  fields.push(field)
  return { fields }
}

/** Objects nesting `value` under `keys[from..]`: `{ b: { c: value } }` for keys `a.b.c` from 1. */
const nest = (keys: ReadonlyArray<string>, from: number, value: DataRecord.Value): DataRecord.Value => {
  let out = value
  for (let i = keys.length - 1; i >= from; i--) out = DataRecord.obj([[keys[i]!, out]])
  return out
}

/** `obj` with `keys[depth..]` set to `value`, creating objects on the way; an error where a non-object is in it. */
const setIn = (
  obj: DataRecord.Value.Obj,
  path: FieldPath,
  depth: number,
  value: DataRecord.Value
): DataRecord.Value.Obj | ProcessorError => {
  const keys = path.keys
  const key = keys[depth]!
  let next: DataRecord.Value
  if (depth === keys.length - 1) {
    next = value
  } else {
    const child = obj.value.get(key)
    if (child === undefined) next = nest(keys, depth + 1, value)
    else if (child._tag === "Obj") {
      const inner = setIn(child, path, depth + 1, value)
      if (inner._tag !== "Obj") return inner
      next = inner
    } else return notAnObject(path, depth + 1, child)
  }
  const map = new Map(obj.value)
  map.set(key, next)
  return DataRecord.obj(map)
}

const notAnObject = (path: FieldPath, depth: number, found: DataRecord.Value): ProcessorError =>
  processorError(
    `cannot set ${JSON.stringify(path.text)}: ${JSON.stringify(path.keys.slice(0, depth).join("."))} is ${DataRecord.kindOf(found)}, not an object`
  )

/**
 * The record with `value` at `path`: the first field named `path.text` is replaced (its meta becomes the
 * value's kind); else a top-level name is added last; else the path is followed into the first field named
 * by its first key, creating the objects (and that field) that are missing. A key on the way that holds
 * something other than an object is a `ProcessorError`.
 */
export const set = (
  record: DataRecord.DataRecord,
  path: FieldPath,
  value: DataRecord.Value
): DataRecord.DataRecord | ProcessorError => {
  const fields = record.fields
  const exact = indexOf(fields, path.text)
  if (exact >= 0) return replaceAt(record, exact, DataRecord.field(path.text, value))
  const keys = path.keys
  if (keys.length === 1) return append(record, DataRecord.field(path.text, value))
  const head = keys[0]!
  const at = indexOf(fields, head)
  if (at < 0) return append(record, DataRecord.field(head, nest(keys, 1, value)))
  const top = fields[at]!
  if (top.value._tag !== "Obj") return notAnObject(path, 1, top.value)
  const changed = setIn(top.value, path, 1, value)
  return changed._tag === "Obj" ? replaceAt(record, at, { name: head, meta: top.meta, value: changed }) : changed
}

/** `obj` without `keys[depth..]`, or `obj` itself when that is not there. */
const removeIn = (obj: DataRecord.Value.Obj, keys: ReadonlyArray<string>, depth: number): DataRecord.Value.Obj => {
  const key = keys[depth]!
  const child = obj.value.get(key)
  if (child === undefined) return obj
  const map = new Map(obj.value)
  if (depth === keys.length - 1) {
    map.delete(key)
  } else {
    if (child._tag !== "Obj") return obj
    const inner = removeIn(child, keys, depth + 1)
    if (inner === child) return obj
    map.set(key, inner)
  }
  return DataRecord.obj(map)
}

/**
 * The record without `path`: every field named `path.text`; else, for a dotted path, the last key from
 * its object (the objects around it stay, even when it empties them). The same record when there is
 * nothing to remove.
 */
export const remove = (record: DataRecord.DataRecord, path: FieldPath): DataRecord.DataRecord => {
  const fields = record.fields
  const exact = indexOf(fields, path.text)
  if (exact >= 0) {
    const kept: Array<DataRecord.DataField> = fields.slice(0, exact)
    for (let i = exact + 1; i < fields.length; i++) if (fields[i]!.name !== path.text) kept.push(fields[i]!)
    return { fields: kept }
  }
  const keys = path.keys
  if (keys.length === 1) return record
  const at = indexOf(fields, keys[0]!)
  if (at < 0) return record
  const top = fields[at]!
  if (top.value._tag !== "Obj") return record
  const changed = removeIn(top.value, keys, 1)
  return changed === top.value ? record : replaceAt(record, at, { name: top.name, meta: top.meta, value: changed })
}

/** Parses a list of field references (a processor's `fields`); the error names the entry, `where[i]`. */
export const parseList = (texts: ReadonlyArray<string>, where: string): Either.Either<ReadonlyArray<FieldPath>, ConfigError> => {
  const out: Array<FieldPath> = []
  for (let i = 0; i < texts.length; i++) {
    const path = parse(texts[i]!, `${where}[${i}]`)
    if (Either.isLeft(path)) return Either.left(path.left)
    out.push(path.right)
  }
  return Either.right(out)
}
