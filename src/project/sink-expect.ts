/**
 * `SinkExpect`: a sink's expected share of the input, as WarpParse writes it — `expect` on a
 * `[[sink_group.sinks]]` (`ratio` + `tol`, or `min` / `max`), over `[sink_group.expect]` and the
 * `[defaults.expect]` of `topology/sinks/defaults.toml` (`basis`, `mode`, `min_samples`) — and its
 * check against a run's counters: the share is the sink's written events over the events read
 * (`basis = "total_input"`); a miss is a warning or a failed run, as `mode` says.
 *
 * @since 0.3.0
 */
import { Either, Schema } from "effect"

const Share = Schema.Number.pipe(Schema.between(0, 1))

/** What a share is a share of: only `total_input` (the events every source read) is counted here. */
const Basis = Schema.Literal("total_input")

/** `warn`: a miss is a warning; `error` (WarpParse also writes `fail`): a miss fails the run. */
const Mode = Schema.Literal("warn", "error", "fail")

/** The keys a group or `[defaults]` sets for its sinks' expectations. */
export const GroupExpect = Schema.Struct({
  basis: Schema.optionalWith(Basis, { exact: true }),
  mode: Schema.optionalWith(Mode, { exact: true }),
  min_samples: Schema.optionalWith(Schema.Int.pipe(Schema.greaterThanOrEqualTo(0)), { exact: true })
})

/** A decoded group-level (or default) `expect`. */
export type GroupExpect = typeof GroupExpect.Type

/** A sink's `expect`: `ratio` with `tol`, or `min` and/or `max` (shares from 0 to 1), and the group keys. */
export const SinkExpect = Schema.Struct({
  ...GroupExpect.fields,
  ratio: Schema.optionalWith(Share, { exact: true }),
  tol: Schema.optionalWith(Share, { exact: true }),
  min: Schema.optionalWith(Share, { exact: true }),
  max: Schema.optionalWith(Share, { exact: true })
})

/** A decoded sink `expect`. */
export type SinkExpect = typeof SinkExpect.Type

/** What each key of an `expect` holds, for messages. */
export const expectations: { readonly [key: string]: string } = {
  basis: "\"total_input\" (the events all sources read; group_input and model are not counted in this edition)",
  mode: "\"warn\" or \"error\" (\"fail\" is taken as \"error\")",
  min_samples: "an integer >= 0 (events read before the expectation is checked)",
  ratio: "a share from 0 to 1",
  tol: "a share from 0 to 1 (how far from ratio the share may be)",
  min: "a share from 0 to 1",
  max: "a share from 0 to 1"
}

/** A sink's resolved expectation. */
export interface Expectation {
  readonly bounds:
    | { readonly _tag: "Ratio"; readonly ratio: number; readonly tol: number }
    | { readonly _tag: "Range"; readonly min: number | undefined; readonly max: number | undefined }
  readonly basis: "total_input"
  readonly mode: "warn" | "error"
  readonly minSamples: number
}

/** What is wrong with a sink's `expect` keys: which key, and why. */
export interface ExpectProblem {
  readonly key: string
  readonly detail: string
  readonly expected: string
}

/**
 * The expectation of a sink from its own `expect` over its group's and the defaults' (a later layer wins
 * key by key); `ratio` needs `tol` (and the other way round) and may not be mixed with `min` / `max`.
 */
export const resolve = (
  own: SinkExpect,
  group: GroupExpect | undefined,
  defaults: GroupExpect | undefined
): Either.Either<Expectation, ExpectProblem> => {
  const merged = { ...defaults, ...group, ...own }
  const ranged = own.min !== undefined || own.max !== undefined
  const ratioed = own.ratio !== undefined || own.tol !== undefined
  const common = {
    basis: "total_input" as const,
    mode: merged.mode === "warn" || merged.mode === undefined ? "warn" as const : "error" as const,
    minSamples: merged.min_samples ?? 0
  }
  if (ranged && ratioed) {
    return Either.left({ key: own.ratio !== undefined ? "ratio" : "tol", detail: "ratio/tol and min/max are mixed", expected: "either ratio with tol, or min and/or max" })
  }
  if (ratioed) {
    if (own.ratio === undefined) return Either.left({ key: "tol", detail: "tol without ratio", expected: "ratio with tol" })
    if (own.tol === undefined) return Either.left({ key: "ratio", detail: "ratio without tol", expected: "ratio with tol (tol = 0 for an exact share)" })
    return Either.right({ bounds: { _tag: "Ratio", ratio: own.ratio, tol: own.tol }, ...common })
  }
  if (ranged) {
    if (own.min !== undefined && own.max !== undefined && own.min > own.max) {
      return Either.left({ key: "min", detail: `min ${own.min} is above max ${own.max}`, expected: "min <= max" })
    }
    return Either.right({ bounds: { _tag: "Range", min: own.min, max: own.max }, ...common })
  }
  return Either.left({ key: "", detail: "expect sets no bound", expected: "ratio with tol, or min and/or max" })
}

/** `ratio 0.5 ± 0.1`, `share >= 0.2`, `share in [0.1, 0.3]`. */
export const text = (e: Expectation): string => {
  const b = e.bounds
  if (b._tag === "Ratio") return `ratio ${b.ratio} ± ${b.tol}`
  if (b.min !== undefined && b.max !== undefined) return `share in [${b.min}, ${b.max}]`
  return b.min !== undefined ? `share >= ${b.min}` : `share <= ${b.max}`
}

/** One sink's expectation checked against counters. */
export interface Outcome {
  readonly group: string
  readonly sink: string
  readonly basis: "total_input"
  readonly mode: "warn" | "error"
  /** The sink's share of the input (written / read), rounded to 4 decimals; `null` before `min_samples` (or with no input). */
  readonly ratio: number | null
  readonly expected: string
  /** `true` when the share is within bounds, or not yet checked (fewer events than `min_samples`, none at all). */
  readonly ok: boolean
}

/** Checks `expectation` of sink `group/sink` that wrote `written` of `input` events read. */
export const check = (group: string, sink: string, expectation: Expectation, written: number, input: number): Outcome => {
  const base = { group, sink, basis: expectation.basis, mode: expectation.mode, expected: text(expectation) }
  if (input === 0 || input < expectation.minSamples) return { ...base, ratio: null, ok: true }
  const share = written / input
  const b = expectation.bounds
  // a share within rounding of a bound is within it (0.1 + 0.2 is not above 0.3)
  const eps = 1e-9
  const ok = b._tag === "Ratio"
    ? Math.abs(share - b.ratio) <= b.tol + eps
    : (b.min === undefined || share >= b.min - eps) && (b.max === undefined || share <= b.max + eps)
  return { ...base, ratio: Math.round(share * 10_000) / 10_000, ok }
}

/** `demo/json: share 0.1 (ratio 0.5 ± 0.2)`: a missed expectation, for warnings and errors. */
export const missText = (o: Outcome): string =>
  `sink ${o.group}/${o.sink}: share of the input ${o.ratio ?? 0} is outside its expectation (${o.expected})`

/** The sinks of a project that have an expectation: group, sink name and the expectation. */
export interface Expected {
  readonly group: string
  readonly sink: string
  readonly expectation: Expectation
}

/** Checks every expectation against the events each sink wrote (`written` by `group/sink`) of `input` read. */
export const checkAll = (
  expected: ReadonlyArray<Expected>,
  written: ReadonlyArray<{ readonly group: string; readonly name: string; readonly events: number }>,
  input: number
): ReadonlyArray<Outcome> =>
  expected.map((e) =>
    check(e.group, e.sink, e.expectation, written.find((s) => s.group === e.group && s.name === e.sink)?.events ?? 0, input)
  )

/** ` expect: demo/json=0.5 ok, b/x=0.1 MISS`: the progress line's part for the expectations (empty without expectations). */
export const progressText = (outcomes: ReadonlyArray<Outcome>): string =>
  outcomes.length === 0
    ? ""
    : ` expect: ${outcomes.map((o) => `${o.group}/${o.sink}=${o.ratio === null ? "-" : o.ratio} ${o.ok ? "ok" : "MISS"}`).join(", ")}`
