/**
 * Samples as push lines: Prometheus text exposition (`name{label="value"} value timestamp`) or
 * VictoriaMetrics' JSON lines (`{"metric":{...},"values":[v],"timestamps":[t]}`), one line per sample.
 *
 * @since 0.2.0
 */
import type { ByteBuilder } from "../../sink/byte-builder.js"
import * as JsonBytes from "../../sink/json-bytes.js"
import type { Format } from "./params.js"
import type { Sample } from "./samples.js"

const needsEscape = /[\\"\n]/

/** A label value inside the double quotes of the Prometheus text format: `\`, `"` and newline escaped. */
export const escapeLabelValue = (value: string): string =>
  needsEscape.test(value) ? value.replace(/\\/g, "\\\\").replace(/"/g, "\\\"").replace(/\n/g, "\\n") : value

/** The label set of a Prometheus text line from flat labels `[name, value, ...]`: `{a="x",b="y"}`, or `""` without labels. */
export const prometheusLabels = (labels: ReadonlyArray<string>): string => {
  if (labels.length === 0) return ""
  let out = "{"
  for (let i = 0; i < labels.length; i += 2) out += `${i === 0 ? "" : ","}${labels[i]}="${escapeLabelValue(labels[i + 1]!)}"`
  return `${out}}`
}

/** The labels of a JSON import line after `__name__`, from flat labels `[name, value, ...]`: `,"a":"x","b":"y"`. */
export const jsonLabels = (labels: ReadonlyArray<string>): string => {
  let out = ""
  for (let i = 0; i < labels.length; i += 2) out += `,${JSON.stringify(labels[i])}:${JSON.stringify(labels[i + 1])}`
  return out
}

/** Writes one sample as a line (no newline): metric name, flat labels, value text, time. */
export type WriteLine = (name: string, labels: ReadonlyArray<string>, value: string, timestamp: number) => string

const flat = (pairs: Sample["labels"]): ReadonlyArray<string> => pairs.flat()

/** One sample as a Prometheus text line (no newline). */
export const prometheusLine = (sample: Sample): string => `${sample.name}${prometheusLabels(flat(sample.labels))} ${sample.value} ${sample.timestamp}`

/** One sample as a JSON import line (no newline); infinities are written `+Inf` / `-Inf`, as VictoriaMetrics reads them. */
export const jsonLine = (sample: Sample): string =>
  `{"metric":{"__name__":${JSON.stringify(sample.name)}${jsonLabels(flat(sample.labels))}},"values":[${sample.value}],"timestamps":[${sample.timestamp}]}`

/** Writes one sample as a line (no newline) straight into `out`: the UTF-8 of what `WriteLine` returns. */
export type LineInto = (out: ByteBuilder, name: string, labels: ReadonlyArray<string>, value: string, timestamp: number) => void

/** Appends a label value inside the double quotes of a Prometheus text line (`escapeLabelValue`). */
const labelValueInto = (out: ByteBuilder, value: string): void =>
  out.text(needsEscape.test(value) ? escapeLabelValue(value) : value)

/** The line writer of `format` into bytes: what `lineWriter(format)` writes, as UTF-8. */
export const lineInto = (format: Format): LineInto => {
  if (format === "json") {
    return (out, name, labels, value, timestamp) => {
      out.text("{\"metric\":{\"__name__\":")
      JsonBytes.stringInto(name, out)
      for (let i = 0; i < labels.length; i += 2) {
        out.byte(0x2c)
        JsonBytes.stringInto(labels[i]!, out)
        out.byte(0x3a)
        JsonBytes.stringInto(labels[i + 1]!, out)
      }
      out.text("},\"values\":[")
      out.text(value)
      out.text("],\"timestamps\":[")
      JsonBytes.numberInto(timestamp, out)
      out.text("]}")
    }
  }
  return (out, name, labels, value, timestamp) => {
    out.text(name)
    if (labels.length > 0) {
      out.byte(0x7b)
      for (let i = 0; i < labels.length; i += 2) {
        if (i > 0) out.byte(0x2c)
        out.text(labels[i]!)
        out.byte(0x3d)
        out.byte(0x22)
        labelValueInto(out, labels[i + 1]!)
        out.byte(0x22)
      }
      out.byte(0x7d)
    }
    out.byte(0x20)
    out.text(value)
    out.byte(0x20)
    JsonBytes.numberInto(timestamp, out)
  }
}

/**
 * A line writer of `format`. The samples of one record share their labels list: the writer encodes a
 * label set once for consecutive samples that share it.
 */
export const lineWriter = (format: Format): WriteLine => {
  let last: ReadonlyArray<string> | undefined
  let block = ""
  if (format === "json") {
    return (name, labels, value, timestamp) => {
      if (labels !== last) {
        last = labels
        block = jsonLabels(labels)
      }
      return `{"metric":{"__name__":${JSON.stringify(name)}${block}},"values":[${value}],"timestamps":[${timestamp}]}`
    }
  }
  return (name, labels, value, timestamp) => {
    if (labels !== last) {
      last = labels
      block = prometheusLabels(labels)
    }
    return `${name}${block} ${value} ${timestamp}`
  }
}
