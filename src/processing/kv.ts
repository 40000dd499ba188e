/**
 * The `kv` processor: reads key=value text (logfmt: `a=1 b="x y" c`) into record fields, in order. Pairs
 * are split by `field_split` (runs of it count as one), keys from values by `value_split`. A key or value
 * may be double-quoted, with the escapes JSON strings have (`\"`, `\\`, `\n`, `\u00e9`, ...; another
 * backslash is kept as it is). A key with no value (`c`) is `Bool` true. Values are `Chars`, or with
 * `infer_types` typed as `ValueParse.infer` says (quoted values stay `Chars`). A key that repeats keeps
 * its first place and its last value. When `field_split` has no whitespace in it, spaces around keys and
 * unquoted values are dropped (`a = 1, b = 2` with `field_split = ","`).
 *
 * @since 0.2.0
 */
import { Effect, Schema } from "effect"
import { ConfigError } from "../errors/config.js"
import { type ProcessorError, processorError } from "../errors/processor.js"
import * as DataRecord from "../model/record.js"
import * as ParserInput from "./parser-input.js"
import * as ProcessorKind from "./processor-kind.js"
import * as ValueParse from "./value-parse.js"

/** A separator: one or more characters, no double quote. */
const Separator = Schema.String.pipe(
  Schema.filter((s) => s.length > 0 && !s.includes("\""), { description: "a non-empty string without \"" })
)

/** `kv` params: `field`, `field_split` (default `" "`), `value_split` (default `"="`), `infer_types` (default false). */
export const Params = Schema.Struct({
  field: ParserInput.FieldParam,
  field_split: Schema.optionalWith(Separator, { default: () => " " }),
  value_split: Schema.optionalWith(Separator, { default: () => "=" }),
  infer_types: Schema.optionalWith(Schema.Boolean, { default: () => false })
})

/** Decoded `kv` params. */
export type Params = typeof Params.Type

const present = DataRecord.bool(true)

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09

const escapes: { readonly [c: string]: string } = { "\"": "\"", "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" }

/** A reader of key=value text with fixed separators. */
class Reader {
  private pos = 0
  /** The next `value_split` at or after `pos` (the text's length when there is none), found lazily. */
  private nextValue = -1
  private nextField = -1

  constructor(
    private readonly text: string,
    private readonly fieldSplit: string,
    private readonly valueSplit: string,
    private readonly trim: boolean
  ) {}

  private find(separator: string, cached: number): number {
    if (cached >= this.pos) return cached
    const at = this.text.indexOf(separator, this.pos)
    return at < 0 ? this.text.length : at
  }

  private skipSpaces(): void {
    if (!this.trim) return
    while (isSpace(this.text.charCodeAt(this.pos))) this.pos++
  }

  private atFieldEnd(): boolean {
    return this.pos >= this.text.length || this.text.startsWith(this.fieldSplit, this.pos)
  }

  /** A double-quoted text at `pos` (its escapes read), or an error. */
  private quoted(): string | ProcessorError {
    const t = this.text
    const start = this.pos
    let out = ""
    let i = start + 1
    let from = i
    for (;;) {
      if (i >= t.length) return processorError(`kv: unterminated quote at offset ${start}`)
      const c = t.charCodeAt(i)
      if (c === 0x22) break
      if (c !== 0x5c) {
        i++
        continue
      }
      out += t.slice(from, i)
      const e = t[i + 1] ?? ""
      const simple = escapes[e]
      if (simple !== undefined) {
        out += simple
        i += 2
      } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(t.slice(i + 2, i + 6))) {
        out += String.fromCharCode(parseInt(t.slice(i + 2, i + 6), 16))
        i += 6
      } else {
        out += "\\"
        i++
      }
      from = i
    }
    this.pos = i + 1
    return out + t.slice(from, i)
  }

  /** The unquoted text from `pos` to `end` (trimmed at its end when spaces are dropped). */
  private bare(end: number): string {
    const raw = this.text.slice(this.pos, end)
    this.pos = end
    return this.trim ? raw.trimEnd() : raw
  }

  /** The fields of the text, or the first error. */
  read(infer: boolean): Array<DataRecord.DataField> | ProcessorError {
    const t = this.text
    const fields: Array<DataRecord.DataField> = []
    let index: Map<string, number> | undefined
    for (;;) {
      for (;;) {
        if (t.startsWith(this.fieldSplit, this.pos)) this.pos += this.fieldSplit.length
        else if (this.trim && isSpace(t.charCodeAt(this.pos))) this.pos++
        else break
      }
      if (this.pos >= t.length) return fields
      const keyAt = this.pos
      let key: string
      if (t.charCodeAt(this.pos) === 0x22) {
        const q = this.quoted()
        if (typeof q !== "string") return q
        key = q
        this.skipSpaces()
      } else {
        this.nextValue = this.find(this.valueSplit, this.nextValue)
        this.nextField = this.find(this.fieldSplit, this.nextField)
        key = this.bare(Math.min(this.nextValue, this.nextField))
        if (key.length === 0) return processorError(`kv: empty key at offset ${keyAt}`)
      }
      let value: DataRecord.Value = present
      if (t.startsWith(this.valueSplit, this.pos)) {
        this.pos += this.valueSplit.length
        this.skipSpaces()
        if (t.charCodeAt(this.pos) === 0x22) {
          const q = this.quoted()
          if (typeof q !== "string") return q
          value = DataRecord.chars(q)
          this.skipSpaces()
        } else {
          this.nextField = this.find(this.fieldSplit, this.nextField)
          const raw = this.bare(this.nextField)
          value = infer && raw.length > 0 ? ValueParse.infer(raw) : DataRecord.chars(raw)
        }
      }
      if (!this.atFieldEnd()) {
        return processorError(
          `kv: unexpected text at offset ${this.pos} after ${JSON.stringify(key)} (expected field_split ${JSON.stringify(this.fieldSplit)})`
        )
      }
      const field = DataRecord.field(key, value)
      if (index === undefined && fields.length >= 16) index = new Map(fields.map((f, i) => [f.name, i]))
      const seen = index !== undefined ? index.get(key) ?? -1 : fields.findIndex((f) => f.name === key)
      if (seen >= 0) fields[seen] = field
      else {
        index?.set(key, fields.length)
        fields.push(field)
      }
    }
  }
}

/** The `kv` kind. */
export const kind: ProcessorKind.ProcessorKind = ProcessorKind.sync({
  kind: "kv",
  description: "parses key=value / logfmt text (the payload or a field) into record fields",
  params: Params,
  make: (params, _ctx, where) => {
    const { field_split: fieldSplit, infer_types: infer, value_split: valueSplit } = params
    if (fieldSplit === valueSplit || fieldSplit.includes(valueSplit) || valueSplit.includes(fieldSplit)) {
      return Effect.fail(
        new ConfigError({
          detail: `value_split ${JSON.stringify(valueSplit)} and field_split ${JSON.stringify(fieldSplit)} overlap`,
          path: `${where}.value_split`,
          expected: "separators neither of which contains the other"
        })
      )
    }
    const trim = !/\s/.test(fieldSplit)
    return Effect.map(ParserInput.fromParam(params.field, where), (input) => ({
      step: ParserInput.step("kv", input, (text) => new Reader(text, fieldSplit, valueSplit, trim).read(infer))
    }))
  }
})
