/**
 * The `regex` processor: matches a JavaScript regular expression against the payload (or the text of a
 * record field) and makes one field per named group (`(?<status>\d+)`), in the pattern's order, typed by
 * `types` (`chars` by default). A group that took no part in the match is `Null`. No match, or a group
 * whose text is not of its type, is a `ProcessorError`. The pattern is compiled once, when the processor
 * is built: one that does not compile, or has no named group, is a `ConfigError` at `params.pattern`.
 *
 * @since 0.2.0
 */
import { Effect, Schema } from "effect"
import { ConfigError } from "../errors/config.js"
import { processorError } from "../errors/processor.js"
import * as DataRecord from "../model/record.js"
import * as ParserInput from "./parser-input.js"
import * as ProcessorKind from "./processor-kind.js"
import * as ValueParse from "./value-parse.js"

/** `regex` params: `pattern`, `types` (group names to types), `flags` (some of `i`, `m`, `s`, `u`), `field`. */
export const Params = Schema.Struct({
  field: ParserInput.FieldParam,
  pattern: Schema.NonEmptyString,
  types: Schema.optionalWith(ValueParse.TypesTable, { default: () => ({}) }),
  flags: Schema.optionalWith(
    Schema.String.pipe(Schema.filter((s) => /^[imsu]*$/.test(s), { description: "some of the flags i, m, s, u" })),
    { default: () => "" }
  )
})

/** Decoded `regex` params. */
export type Params = typeof Params.Type

/** The longest excerpt of the input an error shows. */
const excerptLength = 120

const excerpt = (text: string): string =>
  JSON.stringify(text.length > excerptLength ? `${text.slice(0, excerptLength)}...` : text)

/** The compiled pattern and its group names (in the pattern's order), or the `ConfigError` at `where.pattern`. */
const compile = (params: Params, where: string): Effect.Effect<{ readonly re: RegExp; readonly names: ReadonlyArray<string> }, ConfigError> =>
  Effect.suspend(() => {
    const at = `${where}.pattern`
    let re: RegExp
    let names: ReadonlyArray<string>
    try {
      re = new RegExp(params.pattern, params.flags)
      // an empty alternative always matches "", and the match lists every named group of the pattern
      names = Object.keys(new RegExp(`${params.pattern}|`, params.flags).exec("")?.groups ?? {})
    } catch (cause) {
      return Effect.fail(new ConfigError({
        detail: cause instanceof Error ? cause.message : String(cause),
        path: at,
        expected: "a JavaScript regular expression with named groups (?<name>...)",
        cause
      }))
    }
    if (names.length === 0) {
      return Effect.fail(new ConfigError({ detail: "the pattern has no named group", path: at, expected: "named groups such as (?<status>\\d+)" }))
    }
    return Effect.succeed({ re, names })
  })

/** The `regex` kind. */
export const kind: ProcessorKind.ProcessorKind = ProcessorKind.sync({
  kind: "regex",
  description: "matches a regular expression and makes a field of each named group, typed",
  params: Params,
  make: (params, _ctx, where) =>
    Effect.gen(function*() {
      const { names, re } = yield* compile(params, where)
      const typed = yield* ValueParse.typed(names, params.types, where, "named groups of the pattern")
      const input = yield* ParserInput.fromParam(params.field, where)
      return {
        fields: names,
        step: ParserInput.step("regex", input, (text) => {
          const m = re.exec(text)
          if (m === null) return processorError(`regex: no match for ${excerpt(text)}`)
          const groups = m.groups!
          const out: Array<DataRecord.DataField> = new Array(names.length)
          for (let i = 0; i < names.length; i++) {
            const name = names[i]!
            const raw = groups[name]
            const { parse, type } = typed[i]!
            const value = raw === undefined ? DataRecord.nil : parse(raw)
            if (value === undefined) return processorError(`regex: group "${name}": ${excerpt(raw!)} is not ${type}`)
            out[i] = DataRecord.field(name, value)
          }
          return out
        })
      }
    })
})
