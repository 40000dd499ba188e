/**
 * `RecordFormat`: how the `file` sink writes a record as one line — `json` (compact JSON object),
 * `kv` (`a=1 b="x y"`) or `raw` (the values alone, separated by spaces: text as it is, anything
 * else as JSON).
 *
 * @since 0.1.0
 */
import * as DataRecord from "../../model/record.js"

/** A record format name, as the `fmt` param gives it. */
export type RecordFormat = "raw" | "json" | "kv"

/** `{"v":` before, `}` after, a value's JSON in a one-field record. */
const wrapped = (value: DataRecord.Value): string => DataRecord.toJsonText({ fields: [DataRecord.field("v", value)] })

/** A value as raw text: text as it is, anything else as JSON. */
const valueText = (value: DataRecord.Value): string => {
  switch (value._tag) {
    case "Chars":
    case "Time":
    case "IpAddr":
      return value.value
    default: {
      const json = wrapped(value)
      return json.slice(5, json.length - 1)
    }
  }
}

/** The `raw` line of a record: its values, separated by single spaces. */
export const raw = (record: DataRecord.DataRecord): string => record.fields.map((f) => valueText(f.value)).join(" ")

/** The line writer of `format`. */
export const line = (format: RecordFormat): (record: DataRecord.DataRecord) => string =>
  format === "json" ? DataRecord.toJsonText : format === "kv" ? DataRecord.toKv : raw
