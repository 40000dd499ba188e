/**
 * The body of one POST of the `http` sink: a batch of text, bytes or records written as `format` says,
 * in one Buffer, with its content type.
 *
 * | format | a text payload | a bytes payload | a record | between them |
 * |---|---|---|---|---|
 * | `text` | as it is | as it is | its JSON object | LF, and one after the last |
 * | `ndjson` | a JSON string | a JSON string of its lossy UTF-8 text | its JSON object | LF, and one after the last |
 * | `json_array` | a JSON string | a JSON string of its lossy UTF-8 text | its JSON object | `,` inside `[` `]` |
 *
 * @since 0.2.0
 */
import * as RawData from "../../model/raw.js"
import type { SinkFormat } from "./params.js"

/** A body ready to send. */
export interface BatchBody {
  readonly bytes: Buffer
  readonly contentType: string
}

/** The content type of each format. */
const contentTypes: { readonly [F in SinkFormat]: string } = {
  text: "text/plain; charset=utf-8",
  ndjson: "application/x-ndjson",
  json_array: "application/json"
}

/** `items` as one text: LF after each (`text`, `ndjson`), or a JSON array. One join: no string per separator. */
const frame = (items: ReadonlyArray<string>, format: SinkFormat): string =>
  format === "json_array" ? `[${items.join(",")}]` : `${items.join("\n")}\n`

/** A body of `text` in `format`. */
const ofText = (text: string, format: SinkFormat): BatchBody => ({ bytes: Buffer.from(text, "utf8"), contentType: contentTypes[format] })

/** Text payloads in `format`: as they are for `text`, as JSON strings otherwise. */
export const texts = (payloads: ReadonlyArray<string>, format: SinkFormat): BatchBody =>
  ofText(frame(format === "text" ? payloads : payloads.map((p) => JSON.stringify(p)), format), format)

const LF = Buffer.from("\n")

/** Bytes payloads in `format`: as they are, each followed by LF, for `text`; as JSON strings of their lossy UTF-8 text otherwise. */
export const bytes = (payloads: ReadonlyArray<Uint8Array>, format: SinkFormat): BatchBody => {
  if (format !== "text") return texts(payloads.map((p) => RawData.text(p)), format)
  const parts = new Array<Uint8Array>(payloads.length * 2)
  let size = 0
  for (let i = 0; i < payloads.length; i++) {
    parts[2 * i] = payloads[i]!
    parts[2 * i + 1] = LF
    size += payloads[i]!.length + 1
  }
  return { bytes: Buffer.concat(parts, size), contentType: contentTypes[format] }
}

/** Records' JSON objects (or joins of them by `separator(format)`), in `format`. */
export const encoded = (texts: ReadonlyArray<string>, format: SinkFormat): BatchBody => ofText(frame(texts, format), format)

const comma = Buffer.from(",")
const open = Buffer.from("[")
const close = Buffer.from("]")

/** Records' JSON objects as UTF-8 chunks (each one or more joined by `separator(format)`), in `format`. */
export const encodedBytes = (chunks: ReadonlyArray<Uint8Array>, format: SinkFormat): BatchBody => {
  const parts: Array<Uint8Array> = format === "json_array" ? [open] : []
  for (let i = 0; i < chunks.length; i++) {
    if (format === "json_array") {
      if (i > 0) parts.push(comma)
      parts.push(chunks[i]!)
    } else parts.push(chunks[i]!, LF)
  }
  if (format === "json_array") parts.push(close)
  return { bytes: Buffer.concat(parts), contentType: contentTypes[format] }
}

/** What joins two records' JSON objects in `format` (so several may travel as one text). */
export const separator = (format: SinkFormat): string => (format === "json_array" ? "," : "\n")

