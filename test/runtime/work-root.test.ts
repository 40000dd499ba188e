/**
 * Relative paths in params resolve against the work root of the build context, never the process's working
 * directory: running a project from code gives the same files as `wpc run`, whatever the directory it runs in.
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Builtins from "../../src/connectors/builtins.js"
import { Engine, Project } from "../../src/index.js"
import { labRegistry, makeLab, pipeline, removeScratch, scratch, snk, src } from "./fixtures.js"

afterAll(removeScratch)

const example = path.join(import.meta.dirname, "..", "..", "examples", "file-to-file")

describe("the work root", () => {
  it.live("a project run from code reads and writes under its work root, not under the working directory", () =>
    Effect.gen(function*() {
      const root = path.join(scratch("wpc-root-"), "project")
      fs.cpSync(example, root, { recursive: true })
      const cwd = process.cwd()
      expect(path.relative(cwd, root).startsWith("..")).toBe(true) // the work root is elsewhere
      const project = yield* Project.loadProject(root)
      const report = yield* Engine.runPipeline(Project.toPipelineSpec(project), { rescueDir: "kept" })
      expect(report.status).toBe("completed")
      expect(process.cwd()).toBe(cwd)
      const input = fs.readFileSync(path.join(root, "data/in/sample.log"), "utf8")
      // the connectors' relative `base` (data/in, data/out) and the checkpoints are under the work root
      expect(fs.readFileSync(path.join(root, "data/out/sample.out.log"), "utf8")).toBe(input)
      expect(fs.readdirSync(path.join(root, "checkpoints"))).toHaveLength(1)
      expect(fs.existsSync(path.join(cwd, "data/out/sample.out.log"))).toBe(false)
    }).pipe(Effect.provide(Builtins.layer)))

  it.live("a relative work root is taken from the working directory once; params are under it", () =>
    Effect.gen(function*() {
      const root = path.join(scratch("wpc-root-"), "project")
      fs.cpSync(example, root, { recursive: true })
      const relative = path.relative(process.cwd(), root)
      const project = yield* Project.loadProject(relative)
      const report = yield* Engine.runPipeline({ ...Project.toPipelineSpec(project), workRoot: relative })
      expect(report.eventsIn).toBe(6)
      expect(fs.readFileSync(path.join(root, "data/out/sample.out.log"), "utf8")).toBe(fs.readFileSync(path.join(root, "data/in/sample.log"), "utf8"))
    }).pipe(Effect.provide(Builtins.layer)))

  it.live("a relative rescue directory is under the work root", () => {
    const lab = makeLab()
    const root = scratch("wpc-root-")
    const spec = pipeline(path.relative(process.cwd(), root), [src("s", { count: 3 })], [{ name: "g", sinks: [snk("g", "full", { fatal: true })] }])
    return Effect.gen(function*() {
      const report = yield* Engine.runPipeline(spec, { rescueDir: "kept" })
      expect(report.sinks[0]!.rescued).toBe(3)
      expect(fs.readdirSync(path.join(root, "kept"))).toEqual(["g__full.jsonl"])
    }).pipe(Effect.provide(labRegistry(lab)))
  })
})
