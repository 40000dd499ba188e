/**
 * `Filter`: a compiled filter expression over an event's record fields, tags and source key, as sink
 * groups, sinks and the `drop` processor use to select events (`env == "prod" && $status >= 500`). The
 * grammar is in `docs/filters.md`; `parse` reports the column of a syntax error; `matches` is the hot
 * path; `checkFields` checks `$field` references against a known field list.
 *
 * @since 0.1.0
 */
import { Either, Equal, Hash, Inspectable } from "effect"
import { dual } from "effect/Function"
import { type Pipeable, pipeArguments } from "effect/Pipeable"
import { didYouMean } from "../config/suggest.js"
import { ConfigError } from "../errors/config.js"
import * as DataRecord from "../model/record.js"
import * as Tags from "../model/tags.js"
import * as FieldPath from "../processing/field-path.js"
import type { SourceEvent } from "../source/event.js"
import * as Syntax from "./filter-parser.js"

/** The expression tree of a filter (see `filter-parser.ts`). */
export type Expr = Syntax.Expr

const TypeId: unique symbol = Symbol.for("wp-connector-api/Filter")

/** A filter: its expression and the predicate compiled from it at parse time. */
export interface Filter extends Equal.Equal, Inspectable.Inspectable, Pipeable {
  readonly [TypeId]: typeof TypeId
  /** The expression, as parsed. */
  readonly expr: Expr
  /** The value of a filter that does not depend on the event (`true`, `false || true`, ...). */
  readonly constant: boolean | undefined
  /** The compiled predicate. */
  readonly predicate: (event: SourceEvent) => boolean
}

class FilterImpl implements Filter {
  readonly [TypeId]: typeof TypeId = TypeId
  constructor(
    readonly expr: Expr,
    readonly constant: boolean | undefined,
    readonly predicate: (event: SourceEvent) => boolean
  ) {}
  [Equal.symbol](that: unknown): boolean {
    return isFilter(that) && toString(that) === toString(this)
  }
  [Hash.symbol](): number {
    return Hash.cached(this, Hash.string(toString(this)))
  }
  pipe() {
    return pipeArguments(this, arguments)
  }
  toJSON(): unknown {
    return { _id: "Filter", filter: toString(this) }
  }
  toString(): string {
    return toString(this)
  }
  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

/** `true` when `u` is a `Filter`. */
export const isFilter = (u: unknown): u is Filter => typeof u === "object" && u !== null && TypeId in u

// ---------------------------------------------------------------------------------------------
// Compilation: the expression becomes a tree of closures; constants are folded.

interface Compiled {
  readonly constant: boolean | undefined
  readonly predicate: (event: SourceEvent) => boolean
}

const yes: Compiled = { constant: true, predicate: () => true }
const no: Compiled = { constant: false, predicate: () => false }

/** The path of a field reference; a text that is no valid path (`a..b`) names a top-level field whole. */
const fieldPath = (text: string): FieldPath.FieldPath =>
  Either.getOrElse(FieldPath.parse(text), () => ({ text, keys: [text] }))

/** The value of the field at `path` of the event's record, or `undefined`. */
const fieldOf = (event: SourceEvent, path: FieldPath.FieldPath): DataRecord.Value | undefined =>
  event.record === undefined ? undefined : FieldPath.get(event.record, path)

/** The tag a key reads when the event has no such field: a bare name's. */
const fallbackTag = (key: Syntax.Key): string | undefined => (key._tag === "Name" ? key.name : undefined)

/** The text a field is compared as, as `DataRecord.text` writes it (a `Chars` without allocating). */
const textOf = (value: DataRecord.Value): string => (value._tag === "Chars" ? value.value : DataRecord.text(value))

/**
 * How a key reads the text its conditions compare: a tag or the source key as it is (the reader of a
 * tag-only key allocates nothing), a field as `DataRecord.text` writes it. `undefined` when absent.
 */
const textReader = (key: Syntax.Key): (event: SourceEvent) => string | undefined => {
  switch (key._tag) {
    case "SrcKey":
      return (event) => event.srcKey
    case "Tag": {
      const name = key.name
      return (event) => Tags.getOrUndefined(event.tags, name)
    }
    default: {
      const path = fieldPath(key._tag === "Field" ? key.path : key.name)
      const tag = fallbackTag(key)
      return (event) => {
        const value = fieldOf(event, path)
        if (value !== undefined) return textOf(value)
        return tag === undefined ? undefined : Tags.getOrUndefined(event.tags, tag)
      }
    }
  }
}

const decimalText = /^-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/
const integerText = /^-?[0-9]+$/

/** The number decimal text spells (an integer too long for a double exactly as a `bigint`), else `undefined`. */
const parseNumber = (text: string): number | bigint | undefined => {
  if (!decimalText.test(text)) return undefined
  return text.length > 15 && integerText.test(text) ? BigInt(text) : Number(text)
}

/** The number a field is compared as: a `Digit` or `Float` as it is, a `Chars` parsed; other kinds have none. */
const valueNumber = (value: DataRecord.Value): number | bigint | undefined => {
  switch (value._tag) {
    case "Digit":
    case "Float":
      return value.value
    case "Chars":
      return parseNumber(value.value)
    default:
      return undefined
  }
}

/** How a key reads the number its numeric conditions compare: text (a tag, a `Chars`) is parsed. */
const numberReader = (key: Syntax.Key): (event: SourceEvent) => number | bigint | undefined => {
  switch (key._tag) {
    case "Field":
    case "Name": {
      const path = fieldPath(key._tag === "Field" ? key.path : key.name)
      const tag = fallbackTag(key)
      return (event) => {
        const value = fieldOf(event, path)
        if (value !== undefined) return valueNumber(value)
        const text = tag === undefined ? undefined : Tags.getOrUndefined(event.tags, tag)
        return text === undefined ? undefined : parseNumber(text)
      }
    }
    default: {
      const read = textReader(key)
      return (event) => {
        const text = read(event)
        return text === undefined ? undefined : parseNumber(text)
      }
    }
  }
}

/** -1, 0 or 1 as `x` is below, equal to or above `n` (exact between `bigint` and `number`); `NaN` for a `NaN` `x`. */
const order = (x: number | bigint, n: number | bigint): number => (x < n ? -1 : x > n ? 1 : x === x ? 0 : Number.NaN)

/** Whether an order satisfies each numeric operator (`NaN` satisfies only `!=`). */
const holds: { readonly [op in Syntax.NumCompare["op"]]: (order: number) => boolean } = {
  "==": (o) => o === 0,
  "!=": (o) => o !== 0,
  "<": (o) => o < 0,
  "<=": (o) => o <= 0,
  ">": (o) => o > 0,
  ">=": (o) => o >= 0
}

/** The text operators. */
const textTests: { readonly [op in Syntax.TextTest["op"]]: (text: string, value: string) => boolean } = {
  starts_with: (text, value) => text.startsWith(value),
  ends_with: (text, value) => text.endsWith(value),
  contains: (text, value) => text.includes(value)
}

const test = (predicate: (event: SourceEvent) => boolean): Compiled => ({ constant: undefined, predicate })

const not = (c: Compiled): Compiled => {
  if (c.constant !== undefined) return c.constant ? no : yes
  const p = c.predicate
  return test((e) => !p(e))
}

/** Folds `l op r` when a side is constant: `absorbing` decides it (false for &&), the other value drops out. */
const fold = (absorbing: boolean, l: Compiled, r: Compiled): Compiled | undefined =>
  l.constant === absorbing || r.constant === absorbing
    ? (absorbing ? yes : no)
    : l.constant !== undefined
    ? r
    : r.constant !== undefined
    ? l
    : undefined

const both = (l: Compiled, r: Compiled): Compiled => {
  const lp = l.predicate
  const rp = r.predicate
  return fold(false, l, r) ?? test((e) => lp(e) && rp(e))
}

const oneOf = (l: Compiled, r: Compiled): Compiled => {
  const lp = l.predicate
  const rp = r.predicate
  return fold(true, l, r) ?? test((e) => lp(e) || rp(e))
}

const membership = (values: ReadonlyArray<string>): (value: string) => boolean => {
  if (values.length <= 4) return (v) => values.includes(v)
  const set = new Set(values)
  return (v) => set.has(v)
}

const compile = (e: Expr): Compiled => {
  switch (e._tag) {
    case "Const":
      return e.value ? yes : no
    case "Compare": {
      const read = textReader(e.key)
      const value = e.value
      // A missing key is never equal to a value, so `!=` is true when it is absent.
      return e.op === "==" ? test((ev) => read(ev) === value) : test((ev) => read(ev) !== value)
    }
    case "NumCompare": {
      const read = numberReader(e.key)
      const n = e.number.value
      const ok = holds[e.op]
      // No number (a missing key, text that is not a number) satisfies only `!=`.
      const none = e.op === "!="
      return test((ev) => {
        const x = read(ev)
        return x === undefined ? none : ok(order(x, n))
      })
    }
    case "TextTest": {
      const read = textReader(e.key)
      const value = e.value
      const ok = textTests[e.op]
      return test((ev) => {
        const v = read(ev)
        return v !== undefined && ok(v, value)
      })
    }
    case "In": {
      if (e.values.length === 0) return e.negated ? yes : no
      const read = textReader(e.key)
      const has = membership(e.values)
      return e.negated
        ? test((ev) => {
          const v = read(ev)
          return v === undefined || !has(v)
        })
        : test((ev) => {
          const v = read(ev)
          return v !== undefined && has(v)
        })
    }
    case "Match": {
      const read = textReader(e.key)
      const regex = e.regex
      return test((ev) => {
        const v = read(ev)
        return v !== undefined && regex.test(v)
      })
    }
    case "Exists": {
      switch (e.key._tag) {
        case "SrcKey":
          return yes
        case "Tag": {
          const name = e.key.name
          return test((ev) => Tags.getOrUndefined(ev.tags, name) !== undefined)
        }
        default: {
          const path = fieldPath(e.key._tag === "Field" ? e.key.path : e.key.name)
          const tag = fallbackTag(e.key)
          return test((ev) =>
            fieldOf(ev, path) !== undefined ||
            (tag !== undefined && Tags.getOrUndefined(ev.tags, tag) !== undefined)
          )
        }
      }
    }
    case "Not":
      return not(compile(e.expr))
    case "And":
      return both(compile(e.left), compile(e.right))
    case "Or":
      return oneOf(compile(e.left), compile(e.right))
  }
}

const fromCompiled = (expr: Expr, c: Compiled): Filter => new FilterImpl(expr, c.constant, c.predicate)

// ---------------------------------------------------------------------------------------------
// API

/** The filter that selects every event: what an empty or absent filter means. */
export const always: Filter = fromCompiled(Syntax.constTrue, yes)

/** `true` when `filter` selects every event whatever it holds, so the engine can skip calling it. */
export const isAlways = (filter: Filter): boolean => filter.constant === true

/** A filter from its expression tree. */
export const fromExpr = (expr: Expr): Filter => fromCompiled(expr, compile(expr))

/**
 * Parses and compiles filter text. An empty (or blank) text is `always`. A syntax error is a
 * `ConfigError` (300) whose `column` (1-based) points at the offending token, whose `detail` says
 * what was expected and what was found, and whose `path` is `where` (e.g. `sink_group.filter`).
 */
export const parse = (text: string, where?: string): Either.Either<Filter, ConfigError> => {
  const expr = Syntax.parse(text)
  if (Syntax.isSyntaxError(expr)) {
    const column = Syntax.columnAt(text, expr.index)
    return Either.left(
      new ConfigError({
        detail: `${expr.detail} at column ${column}`,
        column,
        ...(where === undefined ? {} : { path: where }),
        ...(expr.suggestion === undefined ? {} : { suggestion: expr.suggestion })
      })
    )
  }
  return Either.right(expr === Syntax.constTrue ? always : fromExpr(expr))
}

/** `true` when `event` passes `filter`. The compiled predicate allocates nothing; call it per event. */
export const matches = (filter: Filter, event: SourceEvent): boolean => filter.predicate(event)

/** A filter that selects what both select (a group's filter narrowed by a sink's). */
export const and: {
  (that: Filter): (self: Filter) => Filter
  (self: Filter, that: Filter): Filter
} = dual(2, (self: Filter, that: Filter): Filter => {
  if (isAlways(self)) return that
  if (isAlways(that)) return self
  return fromCompiled(Syntax.and(self.expr, that.expr), both(self, that))
})

/** The filter's canonical text, which `parse` reads back to an equal filter. */
export const toString = (filter: Filter): string => Syntax.print(filter.expr)

/** A `$name` key. */
type FieldKey = Extract<Syntax.Key, { readonly _tag: "Field" }>

/** The explicit field references (`$name`) of an expression, in reading order. */
const fieldRefs = (e: Expr, out: Array<FieldKey>): void => {
  switch (e._tag) {
    case "Const":
      return
    case "Not":
      return fieldRefs(e.expr, out)
    case "And":
    case "Or":
      fieldRefs(e.left, out)
      return fieldRefs(e.right, out)
    default:
      if (e.key._tag === "Field") out.push(e.key)
  }
}

/** `true` when `path` is a known field, lies inside one (`http.status` in `http`), or holds one (`http` of `http.status`). */
const isKnown = (path: string, known: ReadonlyArray<string>): boolean =>
  known.some((k) => k === path || path.startsWith(`${k}.`) || k.startsWith(`${path}.`))

/**
 * Checks the explicit field references (`$name`) of `filter` against the fields its events are known to
 * have: one `ConfigError` (at `where`, with the reference's column and a did-you-mean) per reference to a
 * field outside `knownFields`. `undefined` means the fields are not known: nothing is checked. Bare names
 * are not checked, since one that is not a field is a tag.
 */
export const checkFields = (
  filter: Filter,
  knownFields: ReadonlyArray<string> | undefined,
  where: string
): ReadonlyArray<ConfigError> => {
  if (knownFields === undefined) return []
  const refs: Array<FieldKey> = []
  fieldRefs(filter.expr, refs)
  const known = knownFields.length === 0 ? "none" : knownFields.join(", ")
  return refs
    .filter((ref) => !isKnown(ref.path, knownFields))
    .map((ref) =>
      new ConfigError({
        detail: `unknown field ${JSON.stringify(ref.path)}${ref.column === undefined ? "" : ` at column ${ref.column}`}`,
        path: where,
        column: ref.column,
        expected: `a field the events here have (${known})`,
        suggestion: didYouMean(ref.path, knownFields)
      })
    )
}
