/**
 * Metric and label names: the `metric` template (`{field}` is the value field's name, `{x}` the value of
 * record field `x`), and how a text becomes a valid Prometheus name (every other character becomes
 * `_`, a leading digit gets a `_` in front).
 *
 * @since 0.2.0
 */

/** One part of a template: literal text, the value field's name, or the value of a record field. */
export type Part =
  | { readonly _tag: "Text"; readonly text: string }
  | { readonly _tag: "ValueField" }
  | { readonly _tag: "RecordField"; readonly name: string }

/** A parsed template. */
export interface Template {
  readonly parts: ReadonlyArray<Part>
  /** The record fields the template reads (a record without one of them has no metric name). */
  readonly recordFields: ReadonlyArray<string>
}

/** The placeholder that stands for the value field's name. */
export const valueFieldPlaceholder = "field"

const placeholder = /\{([^{}]*)\}/g

/** What is wrong with `template`, or `undefined` when it parses: unbalanced braces, an empty placeholder. */
export const checkTemplate = (template: string): string | undefined => {
  const rest = template.replace(placeholder, (_, name: string) => (name.length === 0 ? "\u0000" : ""))
  if (rest.includes("\u0000")) return "an empty placeholder {}: name a field, or {field} for the value field's name"
  if (rest.includes("{") || rest.includes("}")) return "unbalanced { or }: placeholders are {field} or {<record field>}"
  return undefined
}

/** Parses a template that passed `checkTemplate`. */
export const parse = (template: string): Template => {
  const parts: Array<Part> = []
  const recordFields: Array<string> = []
  let at = 0
  for (const m of template.matchAll(placeholder)) {
    if (m.index > at) parts.push({ _tag: "Text", text: template.slice(at, m.index) })
    const name = m[1]!
    if (name === valueFieldPlaceholder) parts.push({ _tag: "ValueField" })
    else {
      parts.push({ _tag: "RecordField", name })
      if (!recordFields.includes(name)) recordFields.push(name)
    }
    at = m.index + m[0].length
  }
  if (at < template.length) parts.push({ _tag: "Text", text: template.slice(at) })
  return { parts, recordFields }
}

const validMetric = /^[A-Za-z_:][A-Za-z0-9_:]*$/
const validLabel = /^[A-Za-z_][A-Za-z0-9_]*$/

/** `text` as a Prometheus metric name: characters outside `[A-Za-z0-9_:]` become `_`, a leading digit gets `_` before it; `""` stays empty. */
export const metricName = (text: string): string => {
  if (validMetric.test(text) || text.length === 0) return text
  const replaced = text.replace(/[^A-Za-z0-9_:]/g, "_")
  return /^[0-9]/.test(replaced) ? `_${replaced}` : replaced
}

/** `field` as a Prometheus label name: characters outside `[A-Za-z0-9_]` become `_`, a leading digit gets `_` before it. */
export const labelName = (field: string): string => {
  if (validLabel.test(field)) return field
  const replaced = field.replace(/[^A-Za-z0-9_]/g, "_")
  return /^[0-9]/.test(replaced) ? `_${replaced}` : replaced
}
