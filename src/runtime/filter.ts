/**
 * `Filter`: a compiled filter expression over an event's tags and source key, as sink groups and
 * sinks use to select events (`env == "prod" && app in ["api", "web"]`). The grammar is in
 * `docs/filters.md`; `parse` reports the column of a syntax error; `matches` is the hot path.
 *
 * @since 0.1.0
 */
import { Either, Equal, Hash, Inspectable } from "effect"
import { dual } from "effect/Function"
import { type Pipeable, pipeArguments } from "effect/Pipeable"
import { ConfigError } from "../errors/config.js"
import * as Tags from "../model/tags.js"
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

/** How a key reads its value from an event. */
const reader = (key: Syntax.Key): (event: SourceEvent) => string | undefined => {
  if (key._tag === "SrcKey") return (event) => event.srcKey
  const name = key.name
  return (event) => Tags.getOrUndefined(event.tags, name)
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
      const read = reader(e.key)
      const value = e.value
      // A missing tag is never equal to a value, so `!=` is true when the tag is absent.
      return e.op === "==" ? test((ev) => read(ev) === value) : test((ev) => read(ev) !== value)
    }
    case "In": {
      if (e.values.length === 0) return e.negated ? yes : no
      const read = reader(e.key)
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
      const read = reader(e.key)
      const regex = e.regex
      return test((ev) => {
        const v = read(ev)
        return v !== undefined && regex.test(v)
      })
    }
    case "Exists": {
      if (e.key._tag === "SrcKey") return yes
      const name = e.key.name
      return test((ev) => Tags.getOrUndefined(ev.tags, name) !== undefined)
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

/** Code points before a UTF-16 index, plus one: the 1-based column people count. */
const columnAt = (text: string, index: number): number => {
  let column = 1
  for (const _ of text.slice(0, index)) column++
  return column
}

/**
 * Parses and compiles filter text. An empty (or blank) text is `always`. A syntax error is a
 * `ConfigError` (300) whose `column` (1-based) points at the offending token, whose `detail` says
 * what was expected and what was found, and whose `path` is `where` (e.g. `sink_group.filter`).
 */
export const parse = (text: string, where?: string): Either.Either<Filter, ConfigError> => {
  const expr = Syntax.parse(text)
  if (Syntax.isSyntaxError(expr)) {
    const column = columnAt(text, expr.index)
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
