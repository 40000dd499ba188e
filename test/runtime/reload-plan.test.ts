import { describe, expect, it } from "@effect/vitest"
import * as Processor from "../../src/processing/processor.js"
import type { PipelineSpec } from "../../src/runtime/pipeline.js"
import * as ReloadPlan from "../../src/runtime/reload-plan.js"
import { pipeline, snk, src } from "./fixtures.js"

const base = pipeline("/w", [src("a", { count: 1 }), src("b", { count: 2 })], [
  { name: "g", sinks: [snk("g", "x", { path: "x.log" })] },
  { name: "h", filter: "env == \"prod\"", sinks: [snk("h", "y")] }
])

/** A processor built from `definition` (its step does nothing). */
const processor = (name: string, definition: string): Processor.Processor => ({
  ...Processor.sync({ name, kind: "json" }, (e) => e),
  definition
})

describe("ReloadPlan", () => {
  it("the same spec, rebuilt: nothing changes (key order does not matter)", () => {
    const same = pipeline("/w", [src("a", { count: 1 }), src("b", { count: 2 })], [
      { name: "g", sinks: [snk("g", "x", { path: "x.log" })] },
      { name: "h", filter: "env == \"prod\"", sinks: [snk("h", "y")] }
    ])
    const plan = ReloadPlan.make(base, same)
    expect(ReloadPlan.isEmpty(plan)).toBe(true)
    expect(plan.unchanged).toBe(4)
    expect(plan.engineChanged).toBe(false)
    expect(ReloadPlan.sourceDefinition(src("a", { p: 1, q: { r: 2, s: 3 } }))).toBe(ReloadPlan.sourceDefinition(src("a", { q: { s: 3, r: 2 }, p: 1 })))
  })

  it("a changed param, filter, replica count or rate limit changes that unit alone", () => {
    const next: PipelineSpec = {
      ...base,
      sources: [src("a", { count: 1 }), src("b", { count: 3 })],
      groups: [base.groups[0]!, { ...base.groups[1]!, sinks: [snk("h", "y", {}, { replicaCnt: 2 })] }]
    }
    const plan = ReloadPlan.make(base, next)
    expect(plan.sources).toEqual([{ unit: "source", name: "b", change: "changed" }])
    expect(plan.groups).toEqual([{ unit: "sink group", name: "h", change: "changed" }])
    expect(plan.unchanged).toBe(2)
    const filtered = ReloadPlan.make(base, { ...base, groups: [base.groups[0]!, { ...base.groups[1]!, filter: base.groups[0]!.filter }] })
    expect(filtered.groups).toEqual([{ unit: "sink group", name: "h", change: "changed" }])
    const limited = ReloadPlan.make(base, { ...base, groups: [{ ...base.groups[0]!, sinks: [snk("g", "x", { path: "x.log" }, { rps: 10 })] }, base.groups[1]!] })
    expect(limited.groups).toEqual([{ unit: "sink group", name: "g", change: "changed" }])
  })

  it("added and removed units; a disabled source counts as absent", () => {
    const next: PipelineSpec = {
      ...base,
      sources: [{ ...src("a", { count: 1 }), enabled: false }, src("b", { count: 2 }), src("c", {})],
      groups: [base.groups[1]!, { name: "k", filter: base.groups[0]!.filter, sinks: [snk("k", "z")] }]
    }
    const plan = ReloadPlan.make(base, next)
    expect(plan.sources).toEqual([
      { unit: "source", name: "c", change: "added" },
      { unit: "source", name: "a", change: "removed" }
    ])
    expect(plan.groups).toEqual([
      { unit: "sink group", name: "k", change: "added" },
      { unit: "sink group", name: "g", change: "removed" }
    ])
    expect(plan.unchanged).toBe(2)
  })

  it("a source's processors: a new definition, a new order or another on_error changes it; a rebuilt step does not", () => {
    const withProcessors = (...processors: ReadonlyArray<Processor.Processor>): PipelineSpec => ({
      ...base,
      sources: [{ ...src("a", { count: 1 }), processors }, src("b", { count: 2 })]
    })
    const p = processor("p", `{"name":"p","kind":"json"}`)
    const q = processor("q", `{"name":"q","kind":"kv"}`)
    const one = withProcessors(p, q)
    expect(ReloadPlan.isEmpty(ReloadPlan.make(one, withProcessors(processor("p", `{"name":"p","kind":"json"}`), q)))).toBe(true)
    expect(ReloadPlan.make(one, withProcessors(processor("p", `{"name":"p","kind":"json","params":{"x":1}}`), q)).sources).toEqual([
      { unit: "source", name: "a", change: "changed" }
    ])
    expect(ReloadPlan.make(one, withProcessors(q, p)).sources).toHaveLength(1)
    expect(ReloadPlan.make(one, withProcessors({ ...p, onError: "drop" }, q)).sources).toHaveLength(1)
  })

  it("engine options: told apart, not a unit", () => {
    const plan = ReloadPlan.make(base, { ...base, engine: { queueEvents: 10 } })
    expect(ReloadPlan.isEmpty(plan)).toBe(true)
    expect(plan.engineChanged).toBe(true)
    expect(ReloadPlan.lines({ plan, failed: [], millis: 3 })).toEqual([
      "[wpc] reload: the [engine] table changed: its options apply at the next start of wpc run",
      "[wpc] reload: nothing changed (4 units)"
    ])
  })

  it("lines: one per unit changed, then a summary; a unit that could not start says why", () => {
    const plan = ReloadPlan.make(base, {
      ...base,
      sources: [src("a", { count: 9 }), src("c", {})],
      groups: [base.groups[0]!]
    })
    const c = plan.sources.find((u) => u.name === "c")!
    expect(ReloadPlan.lines({ plan, failed: [{ unit: c, error: "[300 ConfigError] port 80 in use" }], millis: 12 })).toEqual([
      "[wpc] reload: source a changed: stopped (what it had read was written and acked) and started again",
      "[wpc] reload: source c added: could not start: [300 ConfigError] port 80 in use",
      "[wpc] reload: source b removed: stopped (what it had read was written and acked)",
      "[wpc] reload: sink group h removed: stopped (what it held was written)",
      "[wpc] reload: done in 12 ms: 1 changed, 1 added, 2 removed, 1 unchanged, 1 failed to start"
    ])
  })
})
