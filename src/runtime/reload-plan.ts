/**
 * `ReloadPlan`: what a reload changes. The units of a pipeline are its sources (by name) and its sink
 * groups (by name); a unit in both the running and the new spec is unchanged when its resolved
 * definition is the same — a source's spec (kind, connector, params, tags), whether it is enabled and
 * its processors (name, kind, `on_error` and what each was built from); a group's filter and its sinks
 * (spec, replicas, rate limit). A disabled source counts as absent. A processor built in code without a
 * `definition` is compared by its name, kind and `on_error` alone.
 *
 * @since 0.1.0
 */
import type { PipelineGroup, PipelineSource, PipelineSpec } from "./pipeline.js"

/** What happens to one unit. */
export type Change = "added" | "removed" | "changed"

/** One unit that a reload adds, removes or replaces. */
export interface UnitChange {
  readonly unit: "source" | "sink group"
  readonly name: string
  readonly change: Change
}

/** The plan of a reload: the units it touches, in spec order (sources first), and how many stay as they run. */
export interface ReloadPlan {
  readonly sources: ReadonlyArray<UnitChange>
  readonly groups: ReadonlyArray<UnitChange>
  /** Units kept running as they are. */
  readonly unchanged: number
  /** Whether the `[engine]` options differ (a reload does not apply them: they are the whole run's). */
  readonly engineChanged: boolean
}

/** `value` as JSON with object keys sorted (what two definitions are compared by). */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v
    const sorted: Record<string, unknown> = {}
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k]
    return sorted
  })

/** The definition of a source a reload compares: spec, processors (without their steps). */
export const sourceDefinition = (source: PipelineSource): string =>
  canonical({
    spec: source.spec,
    processors: (source.processors ?? []).map((p) => ({ name: p.name, kind: p.kind, onError: p.onError, definition: p.definition }))
  })

/** The definition of a sink group a reload compares: filter, and each sink's spec, replicas and rate limit. */
export const groupDefinition = (group: PipelineGroup): string => canonical(group)

/** The changes from `before` to `after` for units named by `name`, compared by `definition`. */
const diff = <A>(
  unit: UnitChange["unit"],
  before: ReadonlyArray<A>,
  after: ReadonlyArray<A>,
  name: (a: A) => string,
  definition: (a: A) => string
): { readonly changes: ReadonlyArray<UnitChange>; readonly unchanged: number } => {
  const old = new Map(before.map((a) => [name(a), definition(a)]))
  const names = new Set(after.map(name))
  const changes: Array<UnitChange> = []
  let unchanged = 0
  for (const a of after) {
    const was = old.get(name(a))
    if (was === undefined) changes.push({ unit, name: name(a), change: "added" })
    else if (was !== definition(a)) changes.push({ unit, name: name(a), change: "changed" })
    else unchanged += 1
  }
  for (const a of before) if (!names.has(name(a))) changes.push({ unit, name: name(a), change: "removed" })
  return { changes, unchanged }
}

/** The plan that takes a pipeline running `before` to `after`. */
export const make = (before: PipelineSpec, after: PipelineSpec): ReloadPlan => {
  const enabled = (spec: PipelineSpec) => spec.sources.filter((s) => s.enabled)
  const sources = diff("source", enabled(before), enabled(after), (s) => s.spec.name, sourceDefinition)
  const groups = diff("sink group", before.groups, after.groups, (g) => g.name, groupDefinition)
  return {
    sources: sources.changes,
    groups: groups.changes,
    unchanged: sources.unchanged + groups.unchanged,
    engineChanged: canonical(before.engine ?? {}) !== canonical(after.engine ?? {})
  }
}

/** `true` when the plan changes nothing. */
export const isEmpty = (plan: ReloadPlan): boolean => plan.sources.length === 0 && plan.groups.length === 0

/** A unit a reload could not start, and why. */
export interface UnitFailure {
  readonly unit: UnitChange
  readonly error: string
}

/** How a reload went: its plan, the units that could not start, and how long it took (ms). */
export interface ReloadOutcome {
  readonly plan: ReloadPlan
  readonly failed: ReadonlyArray<UnitFailure>
  readonly millis: number
}

/** What was done to a unit, by its kind and change. */
const done: Record<UnitChange["unit"], Record<Change, string>> = {
  source: {
    added: "started",
    removed: "stopped (what it had read was written and acked)",
    changed: "stopped (what it had read was written and acked) and started again"
  },
  "sink group": {
    added: "started",
    removed: "stopped (what it held was written)",
    changed: "stopped (what it held was written) and started again"
  }
}

/** The log lines of `outcome`: one per unit changed, then a summary. */
export const lines = (outcome: ReloadOutcome): ReadonlyArray<string> => {
  const { plan } = outcome
  const out: Array<string> = []
  for (const c of [...plan.sources, ...plan.groups]) {
    const failure = outcome.failed.find((f) => f.unit.unit === c.unit && f.unit.name === c.name)
    out.push(`[wpc] reload: ${c.unit} ${c.name} ${c.change}: ${failure === undefined ? done[c.unit][c.change] : `could not start: ${failure.error}`}`)
  }
  if (plan.engineChanged) out.push("[wpc] reload: the [engine] table changed: its options apply at the next start of wpc run")
  if (isEmpty(plan)) {
    out.push(`[wpc] reload: nothing changed (${plan.unchanged} units)`)
    return out
  }
  const count = (change: Change) => [...plan.sources, ...plan.groups].filter((c) => c.change === change).length
  const failed = outcome.failed.length > 0 ? `, ${outcome.failed.length} failed to start` : ""
  out.push(
    `[wpc] reload: done in ${outcome.millis} ms: ${count("changed")} changed, ${count("added")} added, ${count("removed")} removed, ${plan.unchanged} unchanged${failed}`
  )
  return out
}
