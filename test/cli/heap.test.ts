/**
 * `Heap`: which flags `wpc` leaves to the operator, and (in a real child process, since V8's flags are
 * the process's) that the start-up phase keeps the young generation from growing and that `settle`
 * gives the growth back and returns the pages start-up left partly filled.
 */
import { describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as path from "node:path"
import * as Heap from "../../src/cli/heap.js"
import { transpiled } from "../js-build.js"

const repo = path.join(import.meta.dirname, "..", "..")

/**
 * The child: keeps allocations alive the way start-up does (everything survives a scavenge), then
 * drops most of them, settles, and allocates again; prints the sizes of the heap's spaces at each step.
 */
const child = (heapModule: string) => `
import * as v8 from "node:v8"
const Heap = await import(${JSON.stringify(heapModule)})
const space = (name) => v8.getHeapSpaceStatistics().find((s) => s.space_name === name)
const sizes = () => ({ newSpace: space("new_space").space_size, oldPhysical: space("old_space").physical_space_size })
const before = sizes()
Heap.configure()
let kept = []
for (let i = 0; i < 400000; i++) kept.push({ i, s: "x" + i })
const startup = sizes()
// start-up's garbage: most of what it kept is dropped, the rest is scattered over the old generation's pages
kept = kept.filter((_, i) => i % 50 === 0)
Heap.settle()
const settled = sizes()
let run = []
for (let i = 0; i < 400000; i++) run.push({ i, s: "y" + i })
const after = sizes()
process.stdout.write(JSON.stringify({ before, startup, settled, after, kept: kept.length + run.length }))
`

describe("Heap", () => {
  it("wpc sets a flag unless the process was started with its own (any spelling)", () => {
    expect(Heap.setByUser([])).toBe(false)
    expect(Heap.setByUser(["--max-semi-space-size=2", "--enable-source-maps"])).toBe(false)
    expect(Heap.setByUser(["--heap-growing-percent=50"])).toBe(true)
    expect(Heap.setByUser(["--heap_growing_percent=50"])).toBe(true)
    expect(Heap.setByUser(["--no-opt"], "turbofan")).toBe(true)
    expect(Heap.setByUser(["--turbofan"], "turbofan")).toBe(true)
    expect(Heap.setByUser(["--no-sparkplug"], "sparkplug")).toBe(true)
    expect(Heap.setByUser(["--semi_space_growth_factor=4"], "semi-space-growth-factor")).toBe(true)
    expect(Heap.setByUser(["--sparkplug-filter=x"], "sparkplug")).toBe(false)
    expect(Heap.setByUser(["--no-opt"], "sparkplug")).toBe(false)
  })

  it("start-up keeps the young generation at its first size; settle lets it grow and gives back the old generation's emptied pages", () => {
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", child(transpiled(path.join(repo, "src", "cli", "heap.ts")))], {
      encoding: "utf8",
      timeout: 60_000
    })
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
    const r = JSON.parse(result.stdout) as {
      readonly before: { readonly newSpace: number; readonly oldPhysical: number }
      readonly startup: { readonly newSpace: number; readonly oldPhysical: number }
      readonly settled: { readonly newSpace: number; readonly oldPhysical: number }
      readonly after: { readonly newSpace: number; readonly oldPhysical: number }
      readonly kept: number
    }
    expect(r.kept).toBe(8000 + 400000)
    // about 30 MB kept through scavenges: without the start-up flag V8 grows the young generation from
    // 1 MB to 32 MB (measured); with it, it stays at its first semi-space pair (2 MB)
    expect(r.startup.newSpace).toBeLessThanOrEqual(2 * r.before.newSpace)
    // the compacting GC moved the 2% still alive together and released the rest
    expect(r.settled.oldPhysical).toBeLessThan(r.startup.oldPhysical / 2)
    // the run's allocations grow the young generation again, as V8's defaults do
    expect(r.after.newSpace).toBeGreaterThan(r.settled.newSpace)
  })
})
