/**
 * A project's processors (`processors/*.toml`): built when the project loads, named by sources in the
 * order they run, custom modules imported from the work root; every problem located by file, line and key.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Builtins from "../../src/connectors/builtins.js"
import { Engine, Project } from "../../src/index.js"
import { tempDir, writeFiles } from "./fixtures.js"

const example = path.join(import.meta.dirname, "..", "..", "examples", "file-to-file")
const lib = path.join(import.meta.dirname, "..", "..", "src", "index.js")

/** A copy of examples/file-to-file with `files` added (and its source naming `processors`). */
const project = (files: { readonly [rel: string]: string }, processors: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const dir = path.join(yield* tempDir, "project")
    fs.cpSync(example, dir, { recursive: true })
    for (const d of ["data/out", "checkpoints", "rescue"]) fs.rmSync(path.join(dir, d), { recursive: true, force: true })
    const sources = path.join(dir, "topology", "sources", "file.toml")
    fs.writeFileSync(sources, fs.readFileSync(sources, "utf8").replace("tags = [", `processors = ${JSON.stringify(processors)}\ntags = [`))
    yield* writeFiles(dir, files)
    return dir
  })

/** A custom TypeScript processor: the payload's words as a record `{ first, rest }`; a line without a space fails. */
const wordsTs = `
import { DataRecord, Processor, processorError, SourceEvent } from ${JSON.stringify(lib)}
import type { SourceEvent as Event } from ${JSON.stringify(lib)}

const split = (event: Event.SourceEvent) => {
  const text = String(event.payload)
  const space = text.indexOf(" ")
  if (space < 0) return processorError("no space in the line")
  const record = DataRecord.make([
    DataRecord.field("first", DataRecord.chars(text.slice(0, space))),
    DataRecord.field("rest", DataRecord.chars(text.slice(space + 1)))
  ])
  return SourceEvent.update(event, { record })
}

export default Processor.sync({ kind: "words" }, split)
`

const problemsOf = (dir: string) =>
  Effect.map(Effect.either(Project.loadProject(dir)), (r) => {
    if (Either.isRight(r)) throw new Error("the project loaded")
    expect(r.left).toBeInstanceOf(Project.ProjectErrors)
    return r.left.errors.map((e) => e.message)
  })

describe("project processors", () => {
  it.scoped("a custom TypeScript module runs under wpc's engine: records written as JSON lines by the file sink", () =>
    Effect.gen(function*() {
      const dir = yield* project({
        "processors/words.ts": wordsTs,
        "processors/all.toml": "[[processors]]\nname = \"words\"\nmodule = \"processors/words.ts\"\n"
      }, ["words"])
      const sinks = path.join(dir, "connectors", "sink.d", "file.toml")
      fs.writeFileSync(sinks, fs.readFileSync(sinks, "utf8").replace("fmt = \"raw\"", "fmt = \"json\""))
      const loaded = yield* Project.loadProject(dir)
      expect(loaded.sources[0]!.processors.map((p) => [p.name, p.kind, p.onError])).toEqual([["words", "words", "rescue"]])
      const report = yield* Engine.runPipeline(Project.toPipelineSpec(loaded))
      expect(report.status).toBe("completed")
      const input = fs.readFileSync(path.join(dir, "data", "in", "sample.log"), "utf8").trim().split("\n")
      const out = fs.readFileSync(path.join(dir, "data", "out", "sample.out.log"), "utf8").trim().split("\n")
      expect(out).toEqual(input.map((l) => JSON.stringify({ first: l.slice(0, l.indexOf(" ")), rest: l.slice(l.indexOf(" ") + 1) })))
      expect(report.processors).toEqual([expect.objectContaining({ source: "sample_log", name: "words", in: input.length, out: input.length })])
    }).pipe(Effect.provide(Builtins.layer)))

  it.scoped("every problem of the processors and of the sources naming them is reported, with file, line and a hint", () =>
    Effect.gen(function*() {
      const dir = yield* project({
        "processors/a.toml": [
          "[[processors]]", "name = \"both\"", "kind = \"json\"", "module = \"x.ts\"", "",
          "[[processors]]", "name = \"neither\"", "",
          "[[processors]]", "name = \"typo\"", "kind = \"jsno\"", "",
          "[[processors]]", "name = \"empty\"", "module = \"processors/empty.mjs\"", "",
          "[[processors]]", "name = \"missing\"", "module = \"processors/nope.ts\"", "",
          "[[processors]]", "name = \"bad-key\"", "module = \"processors/empty.mjs\"", "onerror = \"drop\"", "",
          "[[processors]]", "name = \"words\"", "module = \"processors/words.ts\"", "on_error = \"ignore\"", ""
        ].join("\n"),
        "processors/b.toml": "[[processors]]\nname = \"both\"\nmodule = \"processors/words.ts\"\n",
        "processors/words.ts": wordsTs,
        "processors/empty.mjs": "export const unrelated = 1\n"
      }, ["wrods"])
      const problems = yield* problemsOf(dir)
      const at = (file: string, line: number) => `${path.join(dir, "processors", file)}:${line}`
      const expected = [
        [at("a.toml", 1), "both kind and module are set"],
        [at("a.toml", 6), "neither kind nor module is set"],
        [at("a.toml", 11), "unknown processor kind \"jsno\""],
        [at("a.toml", 15), "exports no processor"],
        [at("a.toml", 19), "cannot load the processor module"],
        [at("a.toml", 24), "unknown key \"onerror\""],
        [at("a.toml", 29), "invalid value \"ignore\" (expected one of: \"rescue\", \"pass\", \"drop\")"],
        [at("b.toml", 2), "duplicate processor name \"both\""]
      ]
      for (const [where, what] of expected) expect(problems.some((p) => p.includes(where!) && p.includes(what!)), `${where}: ${what}\n${problems.join("\n")}`).toBe(true)
      const source = problems.find((p) => p.includes("unknown processor \"wrods\""))
      expect(source).toContain(path.join(dir, "topology", "sources", "file.toml"))
      expect(source).toContain("sources[0].processors[0]")
      expect(source).toContain("did you mean \"words\"")
    }).pipe(Effect.provide(Builtins.layer)))

  it.scoped("a sink filter naming a $field that no source's events have is refused at load, with a did-you-mean", () =>
    Effect.gen(function*() {
      const keep = "[[processors]]\nname = \"words\"\nmodule = \"processors/words.ts\"\n\n[[processors]]\nname = \"only\"\nkind = \"keep\"\n[processors.params]\nfields = [\"first\", \"rest\"]\n"
      const withFilter = (filter: string) =>
        project({ "processors/words.ts": wordsTs, "processors/all.toml": keep }, ["words", "only"]).pipe(Effect.tap((dir) => {
          const group = path.join(dir, "topology", "sinks", "business.d", "all.toml")
          fs.writeFileSync(group, fs.readFileSync(group, "utf8").replace("tags = [\"route:all\"]", `tags = ["route:all"]\nfilter = '${filter}'`))
        }))
      const good = yield* withFilter("$first == \"Jan\" || rest contains \"x\"")
      expect((yield* Project.loadProject(good)).sinkGroups).toHaveLength(1)
      const bad = yield* withFilter("$firts == \"Jan\"")
      const [problem, ...rest] = yield* problemsOf(bad)
      expect(rest).toEqual([])
      expect(problem).toContain(`${path.join(bad, "topology", "sinks", "business.d", "all.toml")}:5`)
      expect(problem).toContain("sink_group.filter: unknown field \"firts\" at column 1")
      expect(problem).toContain("did you mean \"first\"")
    }).pipe(Effect.provide(Builtins.layer)))

  it.scoped("built-in processors end to end: syslog lines parsed, tagged, routed on a record field, written as JSON; a bad line rescued", () =>
    Effect.gen(function*() {
      const dir = yield* project({
        "processors/parse.toml": [
          "[[processors]]", "name = \"parse\"", "kind = \"syslog\"", "",
          "[[processors]]", "name = \"slim\"", "kind = \"keep\"", "[processors.params]", "fields = [\"severity\", \"host\", \"app\", \"msg\"]", "",
          "[[processors]]", "name = \"route\"", "kind = \"tag\"", "[processors.params]", "fields = { app = \"app\" }", ""
        ].join("\n"),
        "data/in/sample.log": [
          "<11>Jan  2 03:04:05 web1 nginx[42]: upstream timed out",
          "<14>1 2026-01-02T03:04:05Z web2 api 7 - - all good",
          "not syslog at all",
          "<9>Jan  2 03:04:06 web1 kernel: disk failing"
        ].join("\n") + "\n",
        "topology/sinks/business.d/errors.toml": [
          "[sink_group]", "name = \"errors\"", "filter = '$severity <= 3 && app != \"kernel\"'", "",
          "[[sink_group.sinks]]", "name = \"errs\"", "connect = \"file_sink\"", "[sink_group.sinks.params]", "file = \"errors.json\"", "fmt = \"json\"", ""
        ].join("\n")
      }, ["parse", "slim", "route"])
      const loaded = yield* Project.loadProject(dir)
      const report = yield* Engine.runPipeline(Project.toPipelineSpec(loaded))
      expect(report.status).toBe("completed")
      const read = (file: string) => fs.readFileSync(path.join(dir, "data", "out", file), "utf8").trim().split("\n").map((l) => JSON.parse(l))
      expect(read("errors.json")).toEqual([{ severity: 3, host: "web1", app: "nginx", msg: "upstream timed out" }])
      // the example's own sink writes fmt = "raw": a record's values, separated by spaces
      expect(fs.readFileSync(path.join(dir, "data", "out", "sample.out.log"), "utf8").trim().split("\n")).toEqual([
        "3 web1 nginx upstream timed out",
        "6 web2 api all good",
        "1 web1 kernel disk failing"
      ])
      const rescued = fs.readFileSync(path.join(dir, "rescue", "processing__parse.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l))
      expect(rescued).toEqual([expect.objectContaining({ code: 540, sink: "parse", event: expect.objectContaining({ payload: "not syslog at all" }) })])
      expect(report.acked).toBe(4)
      expect(report.processors.map((p) => [p.name, p.in, p.out, p.failed])).toEqual([["parse", 4, 3, 1], ["slim", 3, 3, 0], ["route", 3, 3, 0]])
    }).pipe(Effect.provide(Builtins.layer)))
})
