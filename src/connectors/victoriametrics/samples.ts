/**
 * From a record to samples: which fields are values, what the metric name and labels are, and when
 * each sample was taken. A record that yields no sample says why (`SkipReason`); the sink counts it.
 *
 * @since 0.2.0
 */
import * as DataRecord from "../../model/record.js"
import * as MetricName from "./metric-name.js"

/** One sample: metric name, labels (name, value), the value as the text both push formats take, and its time in ms since the epoch. */
export interface Sample {
  readonly name: string
  readonly labels: ReadonlyArray<readonly [string, string]>
  readonly value: string
  readonly timestamp: number
}

/**
 * Why a record yielded no sample: `no_value` (no value field holds a number VictoriaMetrics stores: NaN
 * is dropped by it), `no_metric_name` (a field the metric template reads is missing, null or empty),
 * `bad_timestamp` (the timestamp field is missing or no valid time).
 */
export type SkipReason = "no_value" | "no_metric_name" | "bad_timestamp"

/** How records become samples (compiled once from the params). */
export interface Mapping {
  readonly template: MetricName.Template
  /** The value fields; `undefined`: every integer and float field not used otherwise. */
  readonly fields: ReadonlyArray<string> | undefined
  /** Label name and the field it comes from. */
  readonly labels: ReadonlyArray<readonly [string, string]>
  readonly timestampField: string | undefined
  readonly timestampUnit: "s" | "ms" | "us" | "ns"
  /** The fields used for something other than a value: labels, the time, the metric template's. */
  readonly notValues: ReadonlySet<string>
  /** Metric names by value field, when the template reads no record field (at most `nameCacheSize`). */
  readonly names: Map<string, string>
}

/** How many metric names a mapping remembers. */
const nameCacheSize = 1024

/** What `mapping` needs from the params. */
export interface MappingOptions {
  readonly metric: string
  readonly fields?: ReadonlyArray<string> | undefined
  readonly labels: ReadonlyArray<string>
  readonly timestamp_field?: string | undefined
  readonly timestamp_unit: "s" | "ms" | "us" | "ns"
}

/** Compiles the mapping of `options` (whose template already passed `MetricName.checkTemplate`). */
export const mapping = (options: MappingOptions): Mapping => {
  const template = MetricName.parse(options.metric)
  const notValues = new Set([...options.labels, ...template.recordFields])
  if (options.timestamp_field !== undefined) notValues.add(options.timestamp_field)
  return {
    template,
    fields: options.fields,
    labels: options.labels.map((field) => [MetricName.labelName(field), field] as const),
    timestampField: options.timestamp_field,
    timestampUnit: options.timestamp_unit,
    notValues,
    names: new Map()
  }
}

/** The first field named `name`, or `undefined`. */
const fieldOf = (record: DataRecord.DataRecord, name: string): DataRecord.Value | undefined => {
  for (const f of record.fields) if (f.name === name) return f.value
  return undefined
}

const decimal = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/

/** A float as VictoriaMetrics reads it (`+Inf`, `-Inf`), or `undefined` for NaN, which it does not store. */
const floatText = (n: number): string | undefined =>
  Number.isNaN(n) ? undefined : n === Infinity ? "+Inf" : n === -Infinity ? "-Inf" : String(n)

/**
 * The value of `value` as sample text: integers and floats always; a bool (1 or 0) and text holding a
 * decimal number only when the field was chosen by name (`chosen`); anything else (and NaN) is none.
 */
export const valueText = (value: DataRecord.Value, chosen: boolean): string | undefined => {
  switch (value._tag) {
    case "Digit":
      return value.value.toString()
    case "Float":
      return floatText(value.value)
    case "Bool":
      return chosen ? (value.value ? "1" : "0") : undefined
    case "Chars":
      return chosen && decimal.test(value.value.trim()) ? floatText(Number(value.value)) : undefined
    default:
      return undefined
  }
}

/** How `DataRecord.toJsonText` wraps a one-field record `v`: what is left of it is the JSON of the value. */
const jsonWrap = "{\"v\":"

/** The text a label takes from `value`: text as it is, numbers and bools as written, objects and arrays as JSON; `undefined` for null. */
export const labelText = (value: DataRecord.Value): string | undefined => {
  const text = DataRecord.textOf(value)
  if (text !== undefined) return text
  switch (value._tag) {
    case "Null":
      return undefined
    case "Bool":
      return String(value.value)
    default:
      // the JSON of the value: the record `{"v":<value>}` without its wrapping
      return DataRecord.toJsonText(DataRecord.make([DataRecord.field("v", value)])).slice(jsonWrap.length, -1)
  }
}

const msPer: { readonly [unit in Mapping["timestampUnit"]]: number } = { s: 1000, ms: 1, us: 0.001, ns: 0.000001 }
const unitsPerMs: { readonly [unit in Mapping["timestampUnit"]]: bigint } = { s: 0n, ms: 1n, us: 1000n, ns: 1000000n }

/** Ms since the epoch of an epoch number in `unit` (rounded to the ms), or `undefined` when it is negative or beyond ms precision. */
const epochMs = (n: number | bigint, unit: Mapping["timestampUnit"]): number | undefined => {
  let ms: number
  if (typeof n === "bigint") ms = Number(unit === "ms" ? n : unit === "s" ? n * 1000n : n / unitsPerMs[unit])
  else ms = Math.round(n * msPer[unit])
  return Number.isSafeInteger(ms) && ms >= 0 ? ms : undefined
}

/** The sample time of `value` in ms: a Time (or time text) parsed, an epoch number (or number text) in `unit`; `undefined` when it is none. */
export const timestampOf = (value: DataRecord.Value, unit: Mapping["timestampUnit"]): number | undefined => {
  switch (value._tag) {
    case "Digit":
    case "Float":
      return epochMs(value.value, unit)
    case "Time":
    case "Chars": {
      const text = value.value.trim()
      if (value._tag === "Chars" && decimal.test(text)) return /^[+-]?\d+$/.test(text) ? epochMs(BigInt(text), unit) : epochMs(Number(text), unit)
      const ms = Date.parse(text)
      return Number.isNaN(ms) || ms < 0 ? undefined : ms
    }
    default:
      return undefined
  }
}

/**
 * Receives one sample: its metric name, its labels as a flat list `[name, value, name, value, ...]`
 * (one list, the same object, for all the samples of a record), its value as text and its time.
 */
export type Emit = (name: string, labels: ReadonlyArray<string>, value: string, timestamp: number) => void

/**
 * Gives the samples of `record` to `emit` (their time `now` unless the mapping names a timestamp field);
 * returns why it yielded none, or `undefined` when it yielded at least one.
 */
export const collect = (mapping: Mapping, record: DataRecord.DataRecord, now: number, emit: Emit): SkipReason | undefined => {
  let timestamp = now
  if (mapping.timestampField !== undefined) {
    const value = fieldOf(record, mapping.timestampField)
    const ms = value === undefined ? undefined : timestampOf(value, mapping.timestampUnit)
    if (ms === undefined) return "bad_timestamp"
    timestamp = ms
  }
  const recordFields = mapping.template.recordFields
  const recordParts: Array<string> = recordFields.length === 0 ? noParts : []
  for (const name of recordFields) {
    const value = fieldOf(record, name)
    const text = value === undefined ? undefined : labelText(value)
    if (text === undefined || text.length === 0) return "no_metric_name"
    recordParts.push(text)
  }
  const labels: Array<string> = []
  for (const [label, field] of mapping.labels) {
    const value = fieldOf(record, field)
    const text = value === undefined ? undefined : labelText(value)
    if (text !== undefined && text.length > 0) labels.push(label, text)
  }
  let emitted = 0
  if (mapping.fields !== undefined) {
    for (const field of mapping.fields) {
      const value = fieldOf(record, field)
      const text = value === undefined ? undefined : valueText(value, true)
      const name = text === undefined ? "" : metricNameOf(mapping, field, recordParts)
      if (name.length > 0) {
        emit(name, labels, text!, timestamp)
        emitted += 1
      }
    }
  } else {
    const fields = record.fields
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!
      if ((f.value._tag !== "Digit" && f.value._tag !== "Float") || mapping.notValues.has(f.name)) continue
      // a repeated name: only its first field counts, as lookups do
      let repeated = false
      for (let j = 0; j < i && !repeated; j++) repeated = fields[j]!.name === f.name
      const text = repeated ? undefined : valueText(f.value, false)
      const name = text === undefined ? "" : metricNameOf(mapping, f.name, recordParts)
      if (name.length > 0) {
        emit(name, labels, text!, timestamp)
        emitted += 1
      }
    }
  }
  return emitted > 0 ? undefined : "no_value"
}

/** `collect` into whole `Sample`s appended to `out` (labels as pairs). */
export const collectSamples = (mapping: Mapping, record: DataRecord.DataRecord, now: number, out: Array<Sample>): SkipReason | undefined =>
  collect(mapping, record, now, (name, labels, value, timestamp) => {
    const pairs: Array<readonly [string, string]> = []
    for (let i = 0; i < labels.length; i += 2) pairs.push([labels[i]!, labels[i + 1]!])
    out.push({ name, labels: pairs, value, timestamp })
  })

/** The parts of a template that reads no record field. */
const noParts: Array<string> = []

/** The metric name of the value field `field`: the template filled in (`recordParts`: the values of its record fields, in order), as a valid name. */
const metricNameOf = (mapping: Mapping, field: string, recordParts: ReadonlyArray<string>): string => {
  const template = mapping.template
  if (template.recordFields.length === 0) {
    const known = mapping.names.get(field)
    if (known !== undefined) return known
    if (mapping.names.size >= nameCacheSize) mapping.names.clear()
    const made = fill(template, field, recordParts)
    mapping.names.set(field, made)
    return made
  }
  return fill(template, field, recordParts)
}

/** The template filled in and made a valid name. */
const fill = (template: MetricName.Template, field: string, recordParts: ReadonlyArray<string>): string => {
  let name = ""
  for (const part of template.parts) {
    if (part._tag === "Text") name += part.text
    else if (part._tag === "ValueField") name += field
    else name += recordParts[template.recordFields.indexOf(part.name)]!
  }
  return MetricName.metricName(name)
}
