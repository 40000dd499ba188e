import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as path from "node:path"
import { cleanFiles, errorsOf } from "./fixtures.js"

/** `[file relative to dir, line, path, detail]` of each error. */
const located = (dir: string, errors: ReadonlyArray<{ file?: string | undefined; line?: number | undefined; path?: string | undefined; detail: string }>) =>
  errors.map((e) => [path.relative(dir, e.file!), e.line, e.path, e.detail])

describe("loadProject: a structural problem hides no other", () => {
  it.scopedLive("an unknown or mistyped key of a file or an entry still lets its params be checked", () =>
    Effect.gen(function*() {
      const { dir, errors } = yield* errorsOf({
        ...cleanFiles,
        "topology/sources/a.toml": `version = 1

[[sources]]
key = "in1"
connect = "net_in"
colour = "red"
params = { port = 0 }

[[sources]]
connect = "net_in"
enable = "yes"
params = { port = 70000 }
`,
        "topology/sinks/main.toml": `[sink_group]
name = "main"
parallel = 0

[[sink_group.sinks]]
name = "out1"
connect = "net_out"
tag = ["x:y"]
params = { port = -1 }
`
      })
      expect(located(dir, errors)).toEqual([
        ["topology/sources/a.toml", 1, "version", "invalid value 1"],
        ["topology/sources/a.toml", 6, "sources[0].colour", "unknown key \"colour\""],
        ["topology/sources/a.toml", 7, "sources[0].params.port", expect.stringContaining("0")],
        ["topology/sources/a.toml", 9, "sources[1].key", "missing required key"],
        ["topology/sources/a.toml", 11, "sources[1].enable", "invalid value \"yes\""],
        ["topology/sources/a.toml", 12, "sources[1].params.port", expect.stringContaining("70000")],
        ["topology/sinks/main.toml", 3, "sink_group.parallel", expect.stringContaining("0")],
        ["topology/sinks/main.toml", 8, "sink_group.sinks[0].tag", "unknown key \"tag\""],
        ["topology/sinks/main.toml", 9, "sink_group.sinks[0].params.port", expect.stringContaining("-1")]
      ])
    }))

  it.scopedLive("a mistyped group name or sink name still lets the sinks be checked, without naming a duplicate", () =>
    Effect.gen(function*() {
      const { dir, errors } = yield* errorsOf({
        ...cleanFiles,
        "topology/sinks/main.toml": `[sink_group]
name = ""

[[sink_group.sinks]]
name = 5
connect = "net_out"
params = { port = 0 }

[[sink_group.sinks]]
name = 6
connect = "net_out"
`
      })
      expect(located(dir, errors)).toEqual([
        ["topology/sinks/main.toml", 2, "sink_group.name", expect.stringContaining("\"\"")],
        ["topology/sinks/main.toml", 5, "sink_group.sinks[0].name", "invalid value 5"],
        ["topology/sinks/main.toml", 7, "sink_group.sinks[0].params.port", expect.stringContaining("0")],
        ["topology/sinks/main.toml", 10, "sink_group.sinks[1].name", "invalid value 6"]
      ])
    }))

  it.scopedLive("a bad connect or params is not followed by problems it caused", () =>
    Effect.gen(function*() {
      const { dir, errors } = yield* errorsOf({
        ...cleanFiles,
        "topology/sources/a.toml": `[[sources]]\nkey = "in1"\nconnect = 3\n\n[[sources]]\nkey = "in2"\nconnect = "net_in"\nparams = "port=1"\n`
      })
      expect(located(dir, errors)).toEqual([
        ["topology/sources/a.toml", 3, "sources[0].connect", "invalid value 3"],
        ["topology/sources/a.toml", 8, "sources[1].params", expect.stringContaining("port=1")]
      ])
    }))

  it.scopedLive("an unknown key in a connectors file keeps its definitions: the entries using them resolve", () =>
    Effect.gen(function*() {
      const { dir, errors } = yield* errorsOf({
        ...cleanFiles,
        "connectors/sink.d/net.toml": `verison = "1"\n\n${cleanFiles["connectors/sink.d/net.toml"]}`,
        "topology/sinks/main.toml": `[sink_group]\nname = "main"\n\n[[sink_group.sinks]]\nname = "out1"\nconnect = "net_out"\nparams = { port = 0 }\n`
      })
      expect(located(dir, errors)).toEqual([
        ["connectors/sink.d/net.toml", 1, "verison", "unknown key \"verison\""],
        ["topology/sinks/main.toml", 7, "sink_group.sinks[0].params.port", expect.stringContaining("0")]
      ])
    }))

  it.scopedLive("a defaults.toml with an unknown key keeps its tags", () =>
    Effect.gen(function*() {
      const { dir, errors } = yield* errorsOf({
        ...cleanFiles,
        "topology/sinks/defaults.toml": `tags = ["team:ops", "broken"]\ntag = []\n`
      })
      expect(located(dir, errors)).toEqual([
        ["topology/sinks/defaults.toml", 2, "tag", "unknown key \"tag\""],
        ["topology/sinks/defaults.toml", 1, "tags[1]", "tag \"broken\" is not of the form key:value"]
      ])
    }))

  it.scopedLive("a [[connectors]] entry lists every problem, unknown keys too, and the entries using it get none of their own", () =>
    Effect.gen(function*() {
      const { dir, errors } = yield* errorsOf({
        ...cleanFiles,
        "connectors/source.d/net.toml": `[[connectors]]\nid = "net_in"\ntype = 5\nallow_override = "port"\nalow_override = ["port"]\n`
      })
      expect(located(dir, errors)).toEqual([
        ["connectors/source.d/net.toml", 5, "connectors[0].alow_override", "unknown key \"alow_override\""],
        ["connectors/source.d/net.toml", 3, "connectors[0].type", "invalid value 5"],
        ["connectors/source.d/net.toml", 4, "connectors[0].allow_override", expect.stringContaining("\"port\"")]
      ])
      expect(errors[0]!.suggestion).toBe("did you mean \"allow_override\"?")
    }))
})
