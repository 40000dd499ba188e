/**
 * `wpc test`: the pipeline tests of `tests/*.toml` run each event through its source's processors and
 * the sink filters, without starting a connector; a pass exits 0, a failure prints what differs per
 * field and exits 1, and a bad test file is reported like any project problem (file, line, key path).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { copyTracked } from "../examples/copy-tracked.js"
import { tempDir, writeFiles } from "../project/fixtures.js"
import { breakCopy, example, wpc } from "./fixtures.js"

const lib = path.join(import.meta.dirname, "..", "..", "src", "index.js")
const nginxExample = path.join(import.meta.dirname, "..", "..", "examples", "nginx-json")

/**
 * A custom processor that makes a record of every kind of value from the payload `kinds`, splits
 * `split` in two (tagged `part`), drops `drop`, and fails on a payload starting with `fail`.
 */
const kindsTs = `
import { DataRecord, Processor, processorError, SourceEvent, Tags } from ${JSON.stringify(lib)}

const some = (o: { readonly _tag: string; readonly value?: unknown }) => {
  if (o._tag !== "Some") throw new Error("no value")
  return o.value as DataRecord.Value
}

export default Processor.sync({ kind: "kinds" }, (event) => {
  const text = String(event.payload)
  if (text === "drop") return Processor.dropped
  if (text.startsWith("fail")) return processorError(\`cannot read \${JSON.stringify(text)}\`)
  if (text === "split") return ["1", "2"].map((part) => SourceEvent.update(event, { tags: Tags.set(event.tags, "part", part) }))
  const record = DataRecord.make([
    DataRecord.field("ip", some(DataRecord.ipAddr("10.0.0.5"))),
    DataRecord.field("at", some(DataRecord.time(new Date(Date.UTC(2024, 9, 10, 13, 55, 36))))),
    DataRecord.field("n", some(DataRecord.digit(42))),
    DataRecord.field("f", DataRecord.float(1.5)),
    DataRecord.field("whole", DataRecord.float(200)),
    DataRecord.field("ok", DataRecord.bool(true)),
    DataRecord.field("s", DataRecord.chars(text)),
    DataRecord.field("none", DataRecord.nil),
    DataRecord.field("list", DataRecord.array([some(DataRecord.digit(1)), DataRecord.chars("a")])),
    DataRecord.field("nested", DataRecord.obj({ a: some(DataRecord.digit(1)), b: DataRecord.chars("x") })),
    DataRecord.field("single", DataRecord.obj({ ip: DataRecord.chars("x") }))
  ])
  return SourceEvent.update(event, { record })
})
`

/** The project files over examples/file-to-file: three sources (one per on_error), a second group that takes passed failures. */
const projectFiles = {
  "processors/kinds.ts": kindsTs,
  "processors/kinds.toml": [
    "[[processors]]", "name = \"kinds\"", "module = \"processors/kinds.ts\"", "",
    "[[processors]]", "name = \"kinds_pass\"", "module = \"processors/kinds.ts\"", "on_error = \"pass\"", "",
    "[[processors]]", "name = \"kinds_drop\"", "module = \"processors/kinds.ts\"", "on_error = \"drop\"", ""
  ].join("\n"),
  "topology/sources/file.toml": [
    "[[sources]]", "key = \"sample_log\"", "connect = \"file_src\"", "tags = [\"env:dev\"]", "processors = [\"kinds\"]", "",
    "[[sources]]", "key = \"passing\"", "connect = \"file_src\"", "processors = [\"kinds_pass\"]", "",
    "[[sources]]", "key = \"dropping\"", "connect = \"file_src\"", "processors = [\"kinds_drop\"]", ""
  ].join("\n"),
  "topology/sinks/business.d/errors.toml": [
    "[sink_group]", "name = \"errors\"", "filter = 'exists(error_processor)'", "",
    "[[sink_group.sinks]]", "name = \"bad\"", "connect = \"file_sink\"", "params = { file = \"bad.log\" }", ""
  ].join("\n")
}

/** A copy of examples/file-to-file with the project files above and `tests` as its only test files. */
const project = (tests: { readonly [rel: string]: string }) =>
  Effect.gen(function*() {
    const dir = path.join(yield* tempDir, "project")
    copyTracked(example, dir)
    fs.rmSync(path.join(dir, "tests"), { recursive: true })
    yield* writeFiles(dir, { ...projectFiles, ...tests })
    return dir
  })

const passing = `[[tests]]
name = "every kind of value"
source = "sample_log"

[[tests.events]]
payload = "kinds"

[[tests.events.outputs]]
sink = "all/copy"
record = { ip = { ip = "10.0.0.5" }, at = 2024-10-10T15:55:36+02:00, n = 42, f = 1.5, whole = 200.0, ok = true, s = "kinds", none = { null = true }, list = [1, "a"], nested = { b = "x", a = 1 }, single = { obj = { ip = "x" } } }
payload = "kinds"
tags = ["env:dev"]

[[tests]]
name = "a split, a drop, a rescued failure"
source = "sample_log"

[[tests.events]]
payload = "split"
dropped = false

[[tests.events.outputs]]
sink = "all/copy"
payload = "split"
tags = ["part:1"]

[[tests.events.outputs]]
sink = "all/copy"
tags = ["part:2"]

[[tests.events]]
payload = "drop"
dropped = true

[[tests.events]]
payload = "fail here"
error = { code = 540, processor = "kinds", message = "cannot read", on_error = "rescue" }

[[tests]]
name = "on_error = pass: tagged, and the errors group takes it too"
source = "passing"

[[tests.events]]
payload = "fail again"
error = { processor = "kinds_pass", on_error = "pass" }

[[tests.events.outputs]]
sink = "all/copy"
tags = ["error_processor:kinds_pass", "error:[540 Process] cannot read \\"fail again\\""]

[[tests.events.outputs]]
sink = "errors/bad"
payload = "fail again"

[[tests]]
name = "on_error = drop is no drop by rule"
source = "dropping"

[[tests.events]]
payload = "fail at last"
error = { on_error = "drop", message = 'cannot read "fail at last"' }
dropped = false
`

const failing = `[[tests]]
name = "wrong expectations"
source = "sample_log"

[[tests.events]]
payload = "kinds"

[[tests.events.outputs]]
sink = "all/copy"
fields = { n = "42", f = 1, ip = "10.0.0.5", at = 2024-10-10T13:55:37Z, nested = { a = 1 }, missing = true }
tags = ["env:prod"]

[[tests.events]]
payload = "fail here"

[[tests.events]]
payload = "drop"

[[tests.events.outputs]]
sink = "errors/bad"

[[tests]]
name = "right"
source = "sample_log"

[[tests.events]]
payload = "drop"
dropped = true
`

describe("wpc test", () => {
  it.scopedLive("every test passes: PASS per test, exit 0, and no connector ran", () =>
    Effect.gen(function*() {
      const dir = yield* project({ "tests/pass.toml": passing })
      const result = yield* wpc("test", "--work-root", dir)
      expect(result.err).toBe("")
      expect(result.out.split("\n")).toEqual([
        `PASS tests/pass.toml:1 "every kind of value" (source sample_log, 1 event)`,
        `PASS tests/pass.toml:14 "a split, a drop, a rescued failure" (source sample_log, 3 events)`,
        `PASS tests/pass.toml:39 "on_error = pass: tagged, and the errors group takes it too" (source passing, 1 event)`,
        `PASS tests/pass.toml:55 "on_error = drop is no drop by rule" (source dropping, 1 event)`,
        "ok: 4 tests passed (6 events)"
      ])
      expect(result.code).toBe(0)
      for (const state of ["data/out", "checkpoints", "rescue"]) expect(fs.existsSync(path.join(dir, state)), state).toBe(false)
    }))

  it.scopedLive("a failing test: each difference with where, expected and actual; exit 1", () =>
    Effect.gen(function*() {
      const dir = yield* project({ "tests/fail.toml": failing })
      const result = yield* wpc("test", "--work-root", dir)
      expect(result.out).toBe([
        `FAIL tests/fail.toml:1 "wrong expectations" (source sample_log, 3 events)`,
        `  event 1 (tests/fail.toml:5, tests[0].events[0]): "kinds"`,
        "    all/copy output 1: record.n",
        "      expected: \"42\" (chars)",
        "      actual:   42 (digit)",
        "      hint: an integer is written without quotes: 42",
        "    all/copy output 1: record.f",
        "      expected: 1 (digit)",
        "      actual:   1.5 (float)",
        "      hint: a float is written with a point: 1.5",
        "    all/copy output 1: record.ip",
        "      expected: \"10.0.0.5\" (chars)",
        "      actual:   10.0.0.5 (ip)",
        "      hint: an ip is written { ip = \"10.0.0.5\" }",
        "    all/copy output 1: record.at",
        "      expected: 2024-10-10T13:55:37.000Z (time)",
        "      actual:   2024-10-10T13:55:36.000Z (time)",
        "    all/copy output 1: record.nested.b",
        "      expected: (no such field)",
        "      actual:   \"x\" (chars)",
        "    all/copy output 1: record.missing",
        "      expected: true (bool)",
        "      actual:   (no such field)",
        "    all/copy output 1: tags.env",
        "      expected: \"prod\"",
        "      actual:   \"dev\"",
        `  event 2 (tests/fail.toml:13, tests[0].events[1]): "fail here"`,
        "    error",
        "      expected: no error",
        "      actual:   [540 Process] cannot read \"fail here\" (processor kinds, on_error rescue)",
        `  event 3 (tests/fail.toml:16, tests[0].events[2]): "drop"`,
        "    errors/bad output 1",
        "      expected: an event",
        "      actual:   (nothing)",
        "      hint: the sink's filters may not select it",
        `PASS tests/fail.toml:22 "right" (source sample_log, 1 event)`,
        "failed: 1 of 2 tests (4 events)"
      ].join("\n"))
      expect(result.code).toBe(1)
    }))

  it.scopedLive("an output that is not expected, a missing error, the wrong drop: each named", () =>
    Effect.gen(function*() {
      const dir = yield* project({
        "tests/t.toml": [
          "[[tests]]", "name = \"t\"", "source = \"sample_log\"", "",
          "[[tests.events]]", "payload = \"split\"", "dropped = true", "error = { message = \"nope\" }", "",
          "[[tests.events]]", "payload = \"fail\"", "error = { on_error = \"drop\" }", "",
          "[[tests.events]]", "payload = \"split\"", "",
          "[[tests.events.outputs]]", "sink = \"all/copy\"", "record = { a = 1 }", "",
          "[[tests.events.outputs]]", "sink = \"all/copy\"", "payload = \"splat\"", "tags = [\"part:3\"]", ""
        ].join("\n")
      })
      const result = yield* wpc("test", "--work-root", dir)
      expect(result.code).toBe(1)
      expect(result.out).toContain([
        "    error",
        "      expected: an error: message containing \"nope\"",
        "      actual:   no error",
        "    dropped",
        "      expected: dropped by a processor",
        "      actual:   not dropped",
        "    all/copy output 1",
        "      expected: (nothing)",
        "      actual:   payload \"split\"",
        "    all/copy output 2",
        "      expected: (nothing)",
        "      actual:   payload \"split\"",
        `  event 2 (tests/t.toml:10, tests[0].events[1]): "fail"`,
        "    error",
        "      expected: an error: on_error drop",
        "      actual:   [540 Process] cannot read \"fail\" (processor kinds, on_error rescue)",
        `  event 3 (tests/t.toml:14, tests[0].events[2]): "split"`,
        "    all/copy output 1: record",
        "      expected: a record",
        "      actual:   no record (payload \"split\")",
        "      hint: put a parser among the source's processors",
        "    all/copy output 2: payload",
        "      expected: \"splat\"",
        "      actual:   \"split\"",
        "    all/copy output 2: tags.part",
        "      expected: \"3\"",
        "      actual:   \"2\""
      ].join("\n"))
    }))

  it.scopedLive("a bad test file: every problem with file, line, key path and a hint; exit 1, nothing run", () =>
    Effect.gen(function*() {
      const dir = yield* project({
        "tests/bad.toml": [
          "[[tests]]",
          "name = \"bad\"",
          "source = \"sample_lgo\"",
          "",
          "[[tests.events]]",
          "payload = \"x\"",
          "tag = [\"a:b\"]",
          "",
          "[[tests.events.outputs]]",
          "sink = \"all/cpy\"",
          "record = { t = 2024-10-10T13:55:36, n = { null = 1 }, a = { ip = \"not an address\" } }",
          "",
          "[[tests]]",
          "name = \"bad\"",
          "source = \"passing\"",
          "",
          "[[tests.events]]",
          "payload = \"y\"",
          "error = { code = \"540\", on_eror = \"pass\", processor = \"kinds\" }",
          ""
        ].join("\n")
      })
      const result = yield* wpc("test", "--work-root", dir)
      expect(result.code).toBe(1)
      expect(result.out).toBe("")
      const file = path.join(dir, "tests", "bad.toml")
      expect(result.err.split("\n").filter((l) => l.startsWith("error: "))).toEqual([
        `error: ${file}:3: tests[0].source: unknown source "sample_lgo"`,
        `error: ${file}:7: tests[0].events[0].tag: unknown key "tag"`,
        `error: ${file}:10: tests[0].events[0].outputs[0].sink: unknown sink "all/cpy"`,
        `error: ${file}:11: tests[0].events[0].outputs[0].record.t: 2024-10-10T13:55:36.000 has no time zone offset`,
        `error: ${file}:11: tests[0].events[0].outputs[0].record.n.null: invalid value 1`,
        `error: ${file}:11: tests[0].events[0].outputs[0].record.a.ip: invalid value "not an address"`,
        `error: ${file}:14: tests[1].name: duplicate test name "bad"`,
        `error: ${file}:19: tests[1].events[0].error.on_eror: unknown key "on_eror"`,
        `error: ${file}:19: tests[1].events[0].error.code: invalid value "540"`,
        `error: ${file}:19: tests[1].events[0].error.processor: source "passing" runs no processor "kinds"`
      ])
      expect(result.err).toContain(`hint: did you mean "sample_log"?`)
      expect(result.err).toContain(`hint: did you mean "tags"?`)
      expect(result.err).toContain(`hint: did you mean "all/copy"?`)
      expect(result.err).toContain(`hint: did you mean "on_error"?`)
      expect(result.err).toContain(`expected: an integer error code (540 for a processor error)`)
      expect(result.err.split("\n").at(-1)).toBe(`10 problems in project ${dir}`)
    }))

  it.scopedLive("an error naming a processor its source does not run is refused; no test file at all is a problem", () =>
    Effect.gen(function*() {
      const dir = yield* project({
        "tests/t.toml": "[[tests]]\nname = \"t\"\nsource = \"passing\"\n\n[[tests.events]]\npayload = \"fail\"\nerror = { processor = \"kinds\" }\n"
      })
      const wrong = yield* wpc("test", "--work-root", dir)
      expect(wrong.code).toBe(1)
      expect(wrong.err).toContain(`error: ${path.join(dir, "tests", "t.toml")}:7: tests[0].events[0].error.processor: source "passing" runs no processor "kinds"`)
      expect(wrong.err).toContain("expected: one of: kinds_pass")

      fs.rmSync(path.join(dir, "tests"), { recursive: true })
      const none = yield* wpc("test", "--work-root", dir)
      expect(none.code).toBe(1)
      expect(none.err).toContain(`error: ${path.join(dir, "tests")}: no test file`)
    }))

  it.scopedLive("a project with problems is refused as wpc check refuses it (exit 1, every problem)", () =>
    Effect.gen(function*() {
      const dir = path.join(yield* tempDir, "broken")
      yield* breakCopy(dir)
      const result = yield* wpc("test", "--work-root", dir)
      expect(result.code).toBe(1)
      expect(result.out).toBe("")
      expect(result.err.split("\n").filter((l) => l.startsWith("error: "))).toHaveLength(3)
      expect(result.err).toContain("unknown sink connector id \"file_snk\"")
    }))

  it.scopedLive("the examples' own tests pass: what wpc init writes, file-to-file, and nginx-json with its TypeScript processor", () =>
    Effect.gen(function*() {
      const dir = path.join(yield* tempDir, "new")
      expect((yield* wpc("init", dir)).code).toBe(0)
      const scaffolded = yield* wpc("test", "--work-root", dir)
      expect(scaffolded.out).toBe(`PASS tests/sample.toml:3 "a line reaches the sink copy unchanged, with the source's tags" (source sample_log, 1 event)\nok: 1 test passed (1 event)`)
      expect(scaffolded.code).toBe(0)
      const scaffold = yield* wpc("test", "--work-root", example)
      expect(scaffold.out.split("\n").at(-1), scaffold.err).toBe("ok: 1 test passed (1 event)")
      expect(scaffold.code).toBe(0)
      const nginx = yield* wpc("test", "--work-root", nginxExample)
      expect(nginx.out.split("\n").at(-1), nginx.err).toBe("ok: 3 tests passed (4 events)")
      expect(nginx.code).toBe(0)
    }))
})
