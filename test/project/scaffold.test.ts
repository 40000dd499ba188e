import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import * as Builtins from "../../src/connectors/builtins.js"
import * as Engine from "../../src/runtime/engine.js"
import * as Project from "../../src/project/project.js"
import * as Scaffold from "../../src/project/scaffold.js"
import { tempDir } from "./fixtures.js"

const repoExample = path.join(import.meta.dirname, "..", "..", "examples", "file-to-file")

describe("Scaffold (wpc init)", () => {
  it.scopedLive("writes a project that loads clean with the built-in connectors and copies the sample log", () =>
    Effect.gen(function*() {
      const dir = path.join(yield* tempDir, "new", "project")
      const written = yield* Scaffold.write(dir)
      expect(written.map((f) => path.relative(dir, f))).toEqual(Scaffold.files.map((f) => f.path))
      const project = Either.getOrThrow(yield* Effect.either(Project.loadProject(dir)))
      expect(project.sources.map((s) => [s.spec.name, s.spec.kind, s.enabled])).toEqual([["sample_log", "file", true]])
      expect(project.sinkGroups.map((g) => [g.name, g.sinks.map((s) => s.spec.name)])).toEqual([["all", ["copy"]]])

      // Relative bases resolve against the working directory; run it as if started in the project.
      const spec = Project.toPipelineSpec(project)
      const absolute = {
        ...spec,
        sources: spec.sources.map((s) => ({
          ...s,
          spec: { ...s.spec, params: { ...s.spec.params, base: path.join(dir, String(s.spec.params["base"])), follow: false } }
        })),
        groups: spec.groups.map((g) => ({
          ...g,
          sinks: g.sinks.map((k) => ({
            ...k,
            spec: { ...k.spec, params: { ...k.spec.params, base: path.join(dir, String(k.spec.params["base"])) } }
          }))
        }))
      }
      const report = yield* Engine.runPipeline(absolute)
      expect(report.status).toBe("completed")
      const input = yield* Effect.promise(() => fs.readFile(path.join(dir, "data/in/sample.log"), "utf8"))
      const output = yield* Effect.promise(() => fs.readFile(path.join(dir, "data/out/sample.out.log"), "utf8"))
      expect(output).toBe(input)
      expect(report.eventsIn).toBe(input.trimEnd().split("\n").length)
    }).pipe(Effect.provide(Builtins.layer)))

  it.scopedLive("refuses a directory that is not empty, and a path that is a file, writing nothing", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* Effect.promise(() => fs.writeFile(path.join(dir, "keep.txt"), "mine"))
      const refused = yield* Effect.flip(Scaffold.write(dir))
      expect(refused).toMatchObject({ _tag: "ConfigError", code: 300, file: dir })
      expect(refused.detail).toBe("directory is not empty (1 entry): refusing to overwrite")
      expect(yield* Effect.promise(() => fs.readdir(dir))).toEqual(["keep.txt"])
      const notDir = yield* Effect.flip(Scaffold.write(path.join(dir, "keep.txt")))
      expect(notDir.detail).toBe("exists and is not a directory")
    }))

  it.effect("the committed examples/file-to-file is exactly what wpc init writes", () =>
    Effect.gen(function*() {
      for (const file of Scaffold.files) {
        const text = yield* Effect.promise(() => fs.readFile(path.join(repoExample, file.path), "utf8"))
        expect(text, file.path).toBe(file.text)
      }
    }))
})
