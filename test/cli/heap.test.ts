/**
 * `Heap`: which flags `wpc` leaves to the operator, and (in a real child process, since V8's flags are
 * the process's) that the start-up phase keeps the young generation from growing, that `settle`
 * returns the pages start-up left partly filled, that `warm` lets the young generation grow up to
 * `youngSemiSpaceMiB` only; and that `wpc run` settles.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import * as url from "node:url"
import * as Heap from "../../src/cli/heap.js"
import { copyTracked } from "../examples/copy-tracked.js"
import { transpiled, wpcMain } from "../js-build.js"
import { tempDir } from "../project/fixtures.js"
import { example } from "./fixtures.js"

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
const warmAtSettle = Heap.isWarm()
Heap.warm()
let run = []
for (let i = 0; i < 400000; i++) run.push({ i, s: "y" + i })
const after = sizes()
process.stdout.write(JSON.stringify({ before, startup, settled, after, kept: kept.length + run.length, warmAtSettle }))
`

/** Runs `lines` as an ES module in a child node (given `nodeFlags`), with `v8` and `Heap` (the source, transpiled) imported. */
const runChild = (lines: ReadonlyArray<string>, nodeFlags: ReadonlyArray<string> = []) =>
  spawnSync(process.execPath, [...nodeFlags, "--input-type=module", "-e", [
    "import * as v8 from \"node:v8\"",
    `const Heap = await import(${JSON.stringify(transpiled(path.join(repo, "src", "cli", "heap.ts")))})`,
    ...lines
  ].join("\n")], { encoding: "utf8", timeout: 60_000 })

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

  it("start-up keeps the young generation at its first size; settle gives back the old generation's emptied pages, warm lets it grow", () => {
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
      readonly warmAtSettle: boolean
    }
    expect(r.kept).toBe(8000 + 400000)
    // settle keeps the start-up flags: nothing has been busy yet
    expect(r.warmAtSettle).toBe(false)
    // about 30 MB kept through scavenges: without the start-up flag V8 grows the young generation from
    // 1 MB to 32 MB (measured); with it, it stays at its first semi-space pair (2 MB)
    expect(r.startup.newSpace).toBeLessThanOrEqual(2 * r.before.newSpace)
    // the compacting GC moved the 2% still alive together and released the rest
    expect(r.settled.oldPhysical).toBeLessThan(r.startup.oldPhysical / 2)
    // the run's allocations grow the young generation again, as V8's defaults do
    expect(r.after.newSpace).toBeGreaterThan(r.settled.newSpace)
  })

  it("after settle the start-up flags stay while the process idles, and go once it is busy", () => {
    const result = runChild([
      "const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))",
      "Heap.configure()",
      "Heap.settle()",
      "const atSettle = Heap.isWarm()",
      // idle: five checks pass with nothing to do
      `await sleep(${5 * Heap.busyCheckMillis})`,
      "const idle = Heap.isWarm()",
      // busy: CPU in slices, the event loop turning between them, until warm (or 10 s)
      "const until = Date.now() + 10000",
      "let spins = 0",
      "while (!Heap.isWarm() && Date.now() < until) { const end = Date.now() + 20; while (Date.now() < end) spins++; await new Promise((r) => setImmediate(r)) }",
      "process.stdout.write(JSON.stringify({ atSettle, idle, busy: Heap.isWarm(), spun: spins > 0 }))"
    ])
    expect(result.stderr).toBe("")
    expect(JSON.parse(result.stdout)).toEqual({ atSettle: false, idle: false, busy: true, spun: true })
  })

  it("growthTo: the young generation's steps to youngSemiSpaceMiB are doublings but the first, and never pass it", () => {
    /** The sizes from `start`, each step by `growthTo`'s factor, until it says 1. */
    const path = (target: number, start: number): ReadonlyArray<number> => {
      const sizes = [start]
      for (let f = Heap.growthTo(target, start); f !== 1; f = Heap.growthTo(target, sizes.at(-1)!)) sizes.push(sizes.at(-1)! * f)
      return sizes
    }
    expect(path(12, 1)).toEqual([1, 3, 6, 12])
    expect(path(12, 2)).toEqual([2, 6, 12])
    expect(path(12, 4)).toEqual([4, 12])
    expect(path(12, 8)).toEqual([8])
    expect(path(12, 16)).toEqual([16])
    expect(path(16, 1)).toEqual([1, 2, 4, 8, 16])
    expect(path(7, 1)).toEqual([1, 7])
  })

  it("once warm, the young generation grows with the run's survivors up to youngSemiSpaceMiB and no further; a flag given to node wins", () => {
    /** A child that warms up, then keeps 300k objects alive at a time (the event loop turning in between, as in a run); its young generation's size. */
    const grown = (nodeFlags: ReadonlyArray<string>): number => {
      const result = runChild([
        "const young = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === \"new_space\").space_size",
        "Heap.configure()",
        "Heap.settle()",
        "Heap.warm()",
        "const idle = young()",
        "const ring = []",
        "for (let i = 0; i < 4e6; i++) { ring.push({ i, s: \"y\" + i }); if (ring.length > 300000) ring.length = 0; if (i % 20000 === 0) await new Promise((r) => setImmediate(r)) }",
        "process.stdout.write(JSON.stringify({ idle, run: young() }))"
      ], nodeFlags)
      expect(result.stderr).toBe("")
      const sizes = JSON.parse(result.stdout) as { readonly idle: number; readonly run: number }
      // warm alone grows nothing: an idle wpc keeps its first semi-spaces
      expect(sizes.idle).toBeLessThanOrEqual(4 * 1024 * 1024)
      return sizes.run
    }
    const MiB = 1024 * 1024
    // two semi-spaces of youngSemiSpaceMiB: grown from 1-2 MiB, and not on to 16 MiB each as V8 would
    const capped = grown([])
    expect(capped).toBeGreaterThan(2 * 8 * MiB)
    expect(capped).toBeLessThanOrEqual(2 * Heap.youngSemiSpaceMiB * MiB)
    expect(grown(["--semi-space-growth-factor=2"])).toBe(2 * 16 * MiB)
    expect(grown(["--max-semi-space-size=16"])).toBe(2 * 16 * MiB)
  })

  it("without the start-up phase (wpc under tsx) the young generation grows as V8's default", () => {
    const result = runChild([
      "Heap.configure([], false)",
      "const kept = []",
      "for (let i = 0; i < 400000; i++) kept.push({ i, s: \"x\" + i })",
      "process.stdout.write(String(v8.getHeapSpaceStatistics().find((s) => s.space_name === \"new_space\").space_size))"
    ])
    expect(result.status).toBe(0)
    expect(Number(result.stdout)).toBeGreaterThan(2 * 1024 * 1024)
  })

  it.scopedLive("wpc run starts with the young generation held and settles once the pipeline is built; a flag given to node wins", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const heapModule = url.pathToFileURL(transpiled(path.join(repo, "src", "cli", "heap.ts"))).href
      // preloaded: the same module instance wpc uses (one URL), read when the process exits
      const probe = path.join(dir, "probe.mjs")
      fs.writeFileSync(probe, [
        "import * as v8 from \"node:v8\"",
        `const Heap = await import(${JSON.stringify(heapModule)})`,
        "process.on(\"exit\", () => process.stderr.write(\"HEAP \" + JSON.stringify({ settled: Heap.isSettled(), newSpace: v8.getHeapSpaceStatistics().find((s) => s.space_name === \"new_space\").space_size }) + \"\\n\"))",
        ""
      ].join("\n"))
      const run = (name: string, nodeFlags: ReadonlyArray<string>) => {
        const project = path.join(dir, name)
        copyTracked(example, project)
        const result = spawnSync(process.execPath, [...nodeFlags, "--import", probe, wpcMain, "run", "--work-root", project, "--progress", "0"], {
          cwd: repo,
          encoding: "utf8",
          timeout: 60_000
        })
        const line = result.stderr.split("\n").find((l) => l.startsWith("HEAP "))
        return { code: result.status, out: result.stdout, heap: JSON.parse(line?.slice("HEAP ".length) ?? "null") as { settled: boolean; newSpace: number } | null }
      }
      const held = run("held", [])
      expect(held.code).toBe(0)
      expect(held.out).toMatch(/6 in, 6 written/)
      expect(held.heap).toEqual({ settled: true, newSpace: held.heap!.newSpace })
      // 1-2 MB semi-spaces (the run after settle may double them once: 2-4 MB measured), where start-up
      // alone grew them to 16 MB each (32 MB measured, below)
      expect(held.heap!.newSpace).toBeLessThanOrEqual(4 * 1024 * 1024)
      // the operator's own growth factor: loading wpc grows the young generation as V8 does by default
      const own = run("own", ["--semi-space-growth-factor=2"])
      expect(own.code).toBe(0)
      expect(own.out).toMatch(/6 in, 6 written/)
      expect(own.heap!.newSpace).toBeGreaterThanOrEqual(16 * 1024 * 1024)
    }), 120_000)
})
