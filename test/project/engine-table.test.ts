/**
 * A project's `[engine]` table (`engine.toml`): its options reach the engine from `wpc run` and from code
 * alike, and every problem in it is reported with its file, line and key path.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Builtins from "../../src/connectors/builtins.js"
import { Engine, Project } from "../../src/index.js"
import { tempDir } from "./fixtures.js"

const example = path.join(import.meta.dirname, "..", "..", "examples", "file-to-file")

/** A copy of examples/file-to-file with `engine` as its engine.toml (none when undefined). */
const project = (engine: string | undefined) =>
  Effect.gen(function*() {
    const dir = path.join(yield* tempDir, "project")
    fs.cpSync(example, dir, { recursive: true })
    if (engine !== undefined) fs.writeFileSync(path.join(dir, "engine.toml"), engine)
    return dir
  })

describe("the [engine] table", () => {
  it.scoped("sets the engine's options: the pipeline spec carries them, and options from code win", () =>
    Effect.gen(function*() {
      const dir = yield* project([
        "version = \"1.0\"",
        "[engine]",
        "batch_events = 2",
        "queue_bytes = 1048576",
        "batch_wait_ms = 0",
        "retry_base_delay_ms = 20",
        "rescue_dir = \"kept\"",
        "",
        "[engine.deadlines]",
        "drain_ms = 7000",
        ""
      ].join("\n"))
      const loaded = yield* Project.loadProject(dir)
      expect(loaded.engine).toEqual({
        batchEvents: 2,
        queueBytes: 1048576,
        batchWait: Duration.millis(0),
        retryBaseDelay: Duration.millis(20),
        rescueDir: "kept",
        deadlines: { drain: Duration.millis(7000) }
      })
      const spec = Project.toPipelineSpec(loaded)
      expect(spec.engine).toBe(loaded.engine)
      // the run takes them: the drain deadline is the table's, the close deadline the default
      const report = yield* Engine.runPipeline(spec, { deadlines: { close: Duration.seconds(3) } })
      expect(report.status).toBe("completed")
      expect(report.eventsIn).toBe(6)
      // a bad option from code is refused even when the table is fine
      const refused = yield* Effect.flip(Engine.runPipeline(spec, { batchEvents: -1 }))
      expect(refused._tag === "ConfigError" && refused.path).toBe("engine.batchEvents")
    }).pipe(Effect.provide(Builtins.layer)))

  it.scoped("a project without engine.toml has no engine options", () =>
    Effect.gen(function*() {
      const loaded = yield* Project.loadProject(yield* project(undefined))
      expect(loaded.engine).toEqual({})
    }).pipe(Effect.provide(Builtins.layer)))

  it.scoped("reports every problem with its file, line and key path, and a suggestion for a typo", () =>
    Effect.gen(function*() {
      const dir = yield* project([
        "[engine]",
        "batch_evnts = 10",
        "queue_events = 0",
        "batch_wait_ms = \"5 millis\"",
        "",
        "[engine.deadlines]",
        "drian_ms = 1",
        "",
        "[engin2]",
        "x = 1",
        ""
      ].join("\n"))
      const error = yield* Effect.flip(Project.loadProject(dir))
      const file = path.join(dir, "engine.toml")
      expect(error._tag).toBe("ProjectErrors")
      const problems = error.errors.map((e) => ({ file: e.file, line: e.line, path: e.path, detail: e.detail, expected: e.expected, suggestion: e.suggestion }))
      expect(problems).toEqual([
        { file, line: 2, path: "engine.batch_evnts", detail: "unknown key \"batch_evnts\"", expected: expect.stringContaining("one of: queue_events, queue_bytes, batch_events"), suggestion: "did you mean \"batch_events\"?" },
        { file, line: 3, path: "engine.queue_events", detail: "invalid value 0", expected: "an integer >= 1", suggestion: undefined },
        { file, line: 4, path: "engine.batch_wait_ms", detail: "invalid value \"5 millis\"", expected: "an integer >= 0 (milliseconds)", suggestion: undefined },
        { file, line: 7, path: "engine.deadlines.drian_ms", detail: "unknown key \"drian_ms\"", expected: "one of: stop_sources_ms, drain_ms, acks_ms, close_ms", suggestion: "did you mean \"drain_ms\"?" },
        { file, line: 9, path: "engin2", detail: "unknown key \"engin2\"", expected: "an [engine] table (and a version)", suggestion: "did you mean \"engine\"?" }
      ])
    }).pipe(Effect.provide(Builtins.layer)))
})
