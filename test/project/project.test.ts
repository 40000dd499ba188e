import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import * as path from "node:path"
import { ConnectorRegistry, SinkFactory, SourceFactory } from "../../src/index.js"
import * as Project from "../../src/project/project.js"
import { built, cleanFiles, errorsOf, load, registry, workRoot } from "./fixtures.js"

const at = (dir: string, rel: string) => path.join(dir, rel)

describe("loadProject: a clean project", () => {
  it.scopedLive("resolves sources and sink groups: defaults, then connector params, then overrides", () =>
    Effect.gen(function*() {
      const dir = yield* workRoot({
        ...cleanFiles,
        "topology/sinks/defaults.toml": `tags = ["team:ops", "env:prod"]\n`,
        "topology/sinks/main.toml": `[sink_group]
name = "main"
tags = ["env:test"]
filter = "env == 'test'"
parallel = 2
rate_limit_rps = 500

[[sink_group.sinks]]
name = "out1"
connect = "net_out"
tags = ["sink:one"]
filter = "app == 'a'"
params = { port = 9200, password = "hunter2" }
`
      })
      const result = yield* load(dir)
      const project = Either.getOrThrow(result)
      expect(project.workRoot).toBe(path.resolve(dir))
      expect(project.sources).toEqual([{
        spec: {
          name: "in1",
          kind: "net",
          connectorId: "net_in",
          params: { host: "10.0.0.1", port: 9001, retries: 3 },
          tags: ["app:a", "env:test"]
        },
        enabled: true,
        processors: [],
        file: at(dir, "topology/sources/a.toml"),
        line: 1
      }])
      const [group] = project.sinkGroups
      expect(group!.name).toBe("main")
      expect(group!.tags).toEqual(["env:test", "team:ops"])
      expect(group!.filter).toEqual(Option.some("env == 'test'"))
      expect(group!.parallel).toBe(2)
      expect(group!.file).toBe(at(dir, "topology/sinks/main.toml"))
      expect(group!.sinks).toEqual([{
        spec: {
          group: "main",
          name: "out1",
          kind: "net",
          connectorId: "net_out",
          params: { host: "10.0.0.2", password: "hunter2", port: 9200, retries: 3 },
          filter: Option.some("app == 'a'")
        },
        tags: ["env:test", "sink:one", "team:ops"],
        expect: Option.none(),
        line: 8
      }])
      expect(Project.toPipelineSpec(project).groups[0]!.sinks[0]).toMatchObject({ replicaCnt: 2, rateLimitRps: 500 })
    }))

  it.scopedLive("a project that loads clean builds with the registry's factories", () =>
    Effect.gen(function*() {
      const dir = yield* workRoot(cleanFiles)
      const project = Either.getOrThrow(yield* load(dir))
      built.length = 0
      yield* Effect.gen(function*() {
        const reg = yield* ConnectorRegistry.ConnectorRegistry
        for (const s of project.sources) {
          const svc = yield* (yield* reg.sourceFactory(s.spec.kind)).build(s.spec, SourceFactory.buildCtx(project.workRoot))
          expect(svc.sources.map((h) => h.metadata.name)).toEqual(["in1"])
        }
        for (const g of project.sinkGroups) {
          for (const s of g.sinks) yield* (yield* reg.sinkFactory(s.spec.kind)).build(s.spec, SinkFactory.buildCtx({ workRoot: project.workRoot }))
        }
      }).pipe(Effect.scoped, Effect.provide(registry))
      expect(built).toEqual(["source:in1", "sink:main/out1"])
    }))

  it.scopedLive("loads files in name order; a disabled source is listed, not dropped", () =>
    Effect.gen(function*() {
      const dir = yield* workRoot({
        ...cleanFiles,
        "topology/sources/a.toml": undefined,
        "topology/sources/b.toml": `[[sources]]\nkey = "second"\nconnect = "net_in"\n\n[[sources]]\nkey = "third"\nenable = false\nconnect = "net_in"\n`,
        "topology/sources/a.toml.bak": `not toml at all [[`,
        "topology/sources/A-first.toml": `[[sources]]\nkey = "first"\nconnect = "net_in"\n`,
        "topology/sinks/z.d/late.toml": `[sink_group]\nname = "late"\n[[sink_group.sinks]]\nconnect = "net_out"\n`,
        "topology/sinks/b.toml": `[sink_group]\nname = "early"\n[[sink_group.sinks]]\nconnect = "net_out"\n`
      })
      const project = Either.getOrThrow(yield* load(dir))
      expect(project.sources.map((s) => [s.spec.name, s.enabled])).toEqual([["first", true], ["second", true], ["third", false]])
      expect(project.sinkGroups.map((g) => g.name)).toEqual(["early", "main", "late"])
      // a sink without a name is named after its connector
      expect(project.sinkGroups[0]!.sinks[0]!.spec.name).toBe("net_out")
      expect(Project.toPipelineSpec(project).sources.map((s) => s.enabled)).toEqual([true, true, false])
    }))

  it.scopedLive("a url param is expanded by the kind's adapter; the entry's own keys win over the URL's", () =>
    Effect.gen(function*() {
      const dir = yield* workRoot({
        ...cleanFiles,
        "topology/sources/a.toml": `[[sources]]\nkey = "in1"\nconnect = "net_in"\nparams = { url = "net://192.168.1.9:7001" }\n`,
        "connectors/sink.d/net.toml": `[[connectors]]\nid = "net_out"\ntype = "net"\nallow_override = ["port"]\nparams = { url = "net://sink.example:7100", port = 7200 }\n`
      })
      const project = Either.getOrThrow(yield* load(dir))
      expect(project.sources[0]!.spec.params).toEqual({ host: "192.168.1.9", port: 7001, retries: 3 })
      expect(project.sinkGroups[0]!.sinks[0]!.spec.params).toEqual({ host: "sink.example", port: 7200, retries: 3 })
    }))

  it.scopedLive("${VAR} and ${VAR:-default} come from the environment, nested too; $${ is a literal ${", () =>
    Effect.gen(function*() {
      const dir = yield* workRoot({
        ...cleanFiles,
        "connectors/sink.d/net.toml": `[[connectors]]
id = "net_out"
type = "net"
allow_override = ["port"]
params = { host = "\${SINK_HOST}", port = 9100, labels = ["\${ZONE:-eu}-1", "$\${literal}"], auth = { user = "\${USER_NAME:-anon}" } }
`
      })
      const project = Either.getOrThrow(yield* load(dir, { SINK_HOST: "sink.internal", USER_NAME: "" }))
      expect(project.sinkGroups[0]!.sinks[0]!.spec.params).toEqual({
        auth: { user: "anon" },
        host: "sink.internal",
        labels: ["eu-1", "${literal}"],
        port: 9100,
        retries: 3
      })
    }))

  it.scopedLive("the kinds' own definitions can be used; a project definition with the same id wins", () =>
    Effect.gen(function*() {
      const dir = yield* workRoot({
        ...cleanFiles,
        "topology/sources/a.toml": `[[sources]]\nkey = "builtin"\nconnect = "net-src"\nparams = { port = 7005 }\n`
      })
      const project = Either.getOrThrow(yield* load(dir))
      expect(project.sources[0]!.spec).toMatchObject({ connectorId: "net-src", params: { host: "127.0.0.1", port: 7005, retries: 3 } })

      const shadowed = yield* workRoot({
        ...cleanFiles,
        "connectors/source.d/net.toml": `[[connectors]]\nid = "net-src"\ntype = "net"\nparams = { host = "10.9.9.9", port = 1 }\n`,
        "topology/sources/a.toml": `[[sources]]\nkey = "mine"\nconnect = "net-src"\n`
      })
      const mine = Either.getOrThrow(yield* load(shadowed))
      expect(mine.sources[0]!.spec.params).toEqual({ host: "10.9.9.9", port: 1, retries: 3 })
    }))
})

describe("loadProject: problems", () => {
  it.scopedLive("duplicate connector ids (in two files of one scope) name both places", () =>
    Effect.gen(function*() {
      const { dir, errors } = yield* errorsOf({
        ...cleanFiles,
        "connectors/source.d/zz.toml": `[[connectors]]\nid = "other"\ntype = "net"\n\n[[connectors]]\nid = "net_in"\ntype = "net"\n`
      })
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatchObject({
        _tag: "ConfigError",
        code: 300,
        file: at(dir, "connectors/source.d/zz.toml"),
        line: 6,
        path: "connectors[1].id",
        detail: "duplicate source connector id \"net_in\""
      })
      expect(errors[0]!.suggestion).toContain(`${at(dir, "connectors/source.d/net.toml")}:2`)
    }))

  it.scopedLive("duplicate source keys, duplicate sink names in a group, duplicate group names", () =>
    Effect.gen(function*() {
      const { dir, errors } = yield* errorsOf({
        ...cleanFiles,
        "topology/sources/b.toml": `[[sources]]\nkey = "in1"\nconnect = "net_in"\n`,
        "topology/sinks/main.toml": `[sink_group]
name = "main"

[[sink_group.sinks]]
name = "out1"
connect = "net_out"

[[sink_group.sinks]]
name = "out1"
connect = "net_out"

[[sink_group.sinks]]
connect = "net_out"

[[sink_group.sinks]]
connect = "net_out"
`,
        "topology/sinks/more.toml": `[sink_group]\nname = "main"\n[[sink_group.sinks]]\nconnect = "net_out"\n`
      })
      expect(errors.map((e) => [path.relative(dir, e.file!), e.line, e.path, e.detail])).toEqual([
        ["topology/sources/b.toml", 2, "sources[0].key", "duplicate source key \"in1\""],
        ["topology/sinks/main.toml", 9, "sink_group.sinks[1].name", "duplicate sink name in group \"main\" \"out1\""],
        ["topology/sinks/main.toml", 16, "sink_group.sinks[3].connect", "duplicate sink name in group \"main\" \"net_out\""],
        ["topology/sinks/more.toml", 2, "sink_group.name", "duplicate sink group name \"main\""]
      ])
      expect(errors[0]!.suggestion).toBe(`the first "in1" is at ${at(dir, "topology/sources/a.toml")}:2; rename one of them`)
    }))

  it.scopedLive("an unknown connector id suggests the nearest known id", () =>
    Effect.gen(function*() {
      const { dir, errors } = yield* errorsOf({
        ...cleanFiles,
        "topology/sources/a.toml": `[[sources]]\nkey = "in1"\nconnect = "net_inn"\n`
      })
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatchObject({
        file: at(dir, "topology/sources/a.toml"),
        line: 3,
        path: "sources[0].connect",
        detail: "unknown source connector id \"net_inn\"",
        expected: "one of: net-src, net_in",
        suggestion: "did you mean \"net_in\"?"
      })
    }))

  it.scopedLive("a sink connector used as a source (and the reverse) is the wrong scope", () =>
    Effect.gen(function*() {
      const { dir, errors } = yield* errorsOf({
        ...cleanFiles,
        "topology/sources/a.toml": `[[sources]]\nkey = "in1"\nconnect = "net_out"\n`,
        "topology/sinks/main.toml": `[sink_group]\nname = "main"\n[[sink_group.sinks]]\nconnect = "net_in"\n`
      })
      expect(errors.map((e) => [e.path, e.detail])).toEqual([
        ["sources[0].connect", `"net_out" is a sink connector (${at(dir, "connectors/sink.d/net.toml")}:1), not a source connector`],
        ["sink_group.sinks[0].connect", `"net_in" is a source connector (${at(dir, "connectors/source.d/net.toml")}:2), not a sink connector`]
      ])
      expect(errors[0]!.suggestion).toBe("a source needs a connector from connectors/source.d/")
    }))

  it.scopedLive("an override outside allow_override is refused, naming the allowed keys", () =>
    Effect.gen(function*() {
      const { dir, errors } = yield* errorsOf({
        ...cleanFiles,
        "topology/sources/a.toml": `[[sources]]\nkey = "in1"\nconnect = "net_in"\n\n[sources.params]\nport = 9001\naddress = "evil"\nprot = 1\n`
      })
      expect(errors.map((e) => [e.line, e.path])).toEqual([[7, "sources[0].params.address"], [8, "sources[0].params.prot"]])
      expect(errors[0]).toMatchObject({
        file: at(dir, "topology/sources/a.toml"),
        detail: "connector \"net_in\" does not allow overriding \"address\"",
        expected: "a key listed in allow_override of \"net_in\"",
        suggestion: `allowed keys: port, url; or add "address" to its allow_override (${at(dir, "connectors/source.d/net.toml")}:5)`
      })
      expect(errors[1]!.suggestion).toMatch(/^did you mean "port"\?/)
    }))

  it.scopedLive("a url override is allowed only when every key it sets is allowed", () =>
    Effect.gen(function*() {
      const { errors } = yield* errorsOf({
        ...cleanFiles,
        "connectors/source.d/net.toml": `[[connectors]]\nid = "net_in"\ntype = "net"\nallow_override = ["port"]\nparams = { host = "h", port = 1 }\n`,
        "topology/sources/a.toml": `[[sources]]\nkey = "in1"\nconnect = "net_in"\nparams = { url = "net://other:2" }\n`
      })
      expect(errors.map((e) => e.path)).toEqual(["sources[0].params.url"])
    }))

  it.scopedLive("wrong value types and unknown keys are reported per key, with what was expected", () =>
    Effect.gen(function*() {
      const { dir, errors } = yield* errorsOf({
        ...cleanFiles,
        "topology/sources/a.toml": `[[sources]]
key = "in1"
enable = "yes"
connect = "net_in"
tags = "env:test"
conect = "x"
`,
        "topology/sinks/main.toml": `[sink_group]\nname = 5\nparallel = 0\nrate_limit_rps = -1\n[[sink_group.sinks]]\nconnect = "net_out"\nfilter = 3\n`
      })
      const file = at(dir, "topology/sources/a.toml")
      expect(errors.map((e) => [path.relative(dir, e.file!), e.line, e.path, e.detail, e.expected])).toEqual([
        ["topology/sources/a.toml", 6, "sources[0].conect", "unknown key \"conect\"", "one of: key, enable, connect, tags, params, params_override, processors"],
        ["topology/sources/a.toml", 3, "sources[0].enable", "invalid value \"yes\"", "true or false"],
        ["topology/sources/a.toml", 5, "sources[0].tags", "invalid value \"env:test\"", "an array of \"key:value\" strings"],
        ["topology/sinks/main.toml", 2, "sink_group.name", "invalid value 5", "a non-empty name"],
        ["topology/sinks/main.toml", 3, "sink_group.parallel", expect.stringContaining("0"), "an integer from 1 to 16"],
        ["topology/sinks/main.toml", 4, "sink_group.rate_limit_rps", expect.stringContaining("-1"), "an integer >= 0 (events per second of each sink replica; 0 = unlimited)"],
        // the group's problems hide none of its sinks'
        ["topology/sinks/main.toml", 7, "sink_group.sinks[0].filter", "invalid value 3", "a filter expression (see docs/filters.md)"]
      ])
      expect(errors[0]!.suggestion).toBe("did you mean \"connect\"?")
      expect(errors[0]!.file).toBe(file)
    }))

  it.scopedLive("a connector parameter written outside params gets a hint; a bad tag is located", () =>
    Effect.gen(function*() {
      const { errors } = yield* errorsOf({
        ...cleanFiles,
        "topology/sources/a.toml": `[[sources]]\nkey = "in1"\nconnect = "net_in"\ntags = ["env:test", "broken"]\nport = 9001\n`
      })
      expect(errors.map((e) => [e.line, e.path, e.suggestion])).toEqual([
        [5, "sources[0].port", "connector parameters go under params: params = { port = ... }"],
        // the unknown key hides none of the entry's other problems
        [4, "sources[0].tags[1]", "write it as \"broken:<value>\""]
      ])
      const bad = yield* errorsOf({ ...cleanFiles, "topology/sources/a.toml": `[[sources]]\nkey = "in1"\nconnect = "net_in"\ntags = ["env:test", "broken"]\n` })
      expect(bad.errors.map((e) => [e.line, e.path, e.detail])).toEqual([[4, "sources[0].tags[1]", "tag \"broken\" is not of the form key:value"]])
    }))

  it.scopedLive("malformed TOML names file, line and column; the other files are still checked", () =>
    Effect.gen(function*() {
      const { dir, errors } = yield* errorsOf({
        ...cleanFiles,
        "connectors/sink.d/broken.toml": `[[connectors]]\nid = "x"\ntype = \n`,
        "topology/sources/a.toml": `[[sources]]\nkey = "in1"\nconnect = "net_in"\nparams = { port = 70000 }\n`
      })
      expect(errors).toHaveLength(2)
      expect(errors[0]).toMatchObject({ file: at(dir, "connectors/sink.d/broken.toml"), line: 3, expected: "valid TOML" })
      expect(errors[0]!.column).toBeGreaterThan(0)
      // the factory's validateSpec ran on the other source, and its error is placed at the key
      expect(errors[1]).toMatchObject({ file: at(dir, "topology/sources/a.toml"), line: 4, path: "sources[0].params.port" })
    }))

  it.scopedLive("every param a factory refuses is its own problem, at its own line, in line order", () =>
    Effect.gen(function*() {
      const { dir, errors } = yield* errorsOf({
        ...cleanFiles,
        "connectors/source.d/net.toml": `[[connectors]]\nid = "net_in"\ntype = "net"\nallow_override = ["port", "retries"]\nparams = { host = "10.0.0.1", port = 9000 }\n`,
        "topology/sources/a.toml": `[[sources]]\nkey = "in1"\nconnect = "net_in"\n[sources.params]\nretries = "many"\nport = 70000\n`
      })
      expect(errors.map((e) => [e.file, e.line, e.path, e.expected])).toEqual([
        [at(dir, "topology/sources/a.toml"), 5, "sources[0].params.retries", "number"],
        [at(dir, "topology/sources/a.toml"), 6, "sources[0].params.port", "a number between 1 and 65535"]
      ])
    }))

  it.scopedLive("a missing work root, missing directories and empty directories", () =>
    Effect.gen(function*() {
      const none = yield* load("/nonexistent/wpc-project")
      expect(Either.getLeft(none).pipe(Option.map((e) => e.errors.map((x) => x.detail)))).toEqual(
        Option.some(["the work root does not exist"])
      )
      const missing = yield* errorsOf({ "connectors/source.d/net.toml": cleanFiles["connectors/source.d/net.toml"] })
      expect(missing.errors.map((e) => [path.relative(missing.dir, e.file!), e.detail])).toEqual([
        ["topology/sources", "missing directory"],
        ["topology/sinks", "missing directory"]
      ])
      expect(missing.errors[0]!.suggestion).toContain("wpc init")
      const empty = yield* errorsOf({ ...cleanFiles, "topology/sources/a.toml": undefined, "topology/sources/README": "no toml here" })
      expect(empty.errors.map((e) => [path.relative(empty.dir, e.file!), e.detail])).toEqual([["topology/sources", "no *.toml file in the directory"]])
      const noEntries = yield* errorsOf({ ...cleanFiles, "topology/sources/a.toml": "# nothing yet\n" })
      expect(noEntries.errors.map((e) => e.detail)).toEqual(["the project declares no sources"])
      const emptyGroup = yield* errorsOf({ ...cleanFiles, "topology/sinks/main.toml": `[sink_group]\nname = "main"\nsinks = []\n` })
      expect(emptyGroup.errors.map((e) => [e.path, e.detail])).toEqual([["sink_group.sinks", "sink group \"main\" has no sinks"]])
    }))

  it.scopedLive("unset variables, malformed references and a bad URL are located in the file that wrote them", () =>
    Effect.gen(function*() {
      const { dir, errors } = yield* errorsOf({
        ...cleanFiles,
        "connectors/sink.d/net.toml": `[[connectors]]\nid = "net_out"\ntype = "net"\nparams = { host = "\${NOPE}", port = 1 }\n`,
        "topology/sources/a.toml": `[[sources]]\nkey = "in1"\nconnect = "net_in"\nparams = { url = "tcp://h:1" }\n\n[[sources]]\nkey = "in2"\nconnect = "net_in"\nparams = { port = "\${1BAD}" }\n`
      })
      expect(errors.map((e) => [path.relative(dir, e.file!), e.line, e.path, e.detail])).toEqual([
        ["connectors/sink.d/net.toml", 4, "connectors[0].params.host", "environment variable NOPE is not set"],
        ["topology/sources/a.toml", 4, "sources[0].params.url.scheme", "unsupported scheme \"tcp:\" in \"tcp://h:1\""],
        ["topology/sources/a.toml", 9, "sources[1].params.port", "malformed variable reference \"${1BAD}\""]
      ])
      expect(errors[0]!.suggestion).toBe("set NOPE, or give a default: ${NOPE:-value}")
    }))

  it.scopedLive("an unknown kind, a kind without a factory of the scope, and the def provider's refusal", () =>
    Effect.gen(function*() {
      const { dir, errors } = yield* errorsOf({
        ...cleanFiles,
        "connectors/source.d/more.toml": `[[connectors]]\nid = "k"\ntype = "nett"\n\n[[connectors]]\nid = "open"\ntype = "net"\nparams = { host = "0.0.0.0", port = 1 }\n`,
        "connectors/sink.d/more.toml": `[[connectors]]\nid = "g"\ntype = "gen"\n`,
        "topology/sources/b.toml": `[[sources]]\nkey = "in2"\nconnect = "open"\n`
      })
      expect(errors.map((e) => [path.relative(dir, e.file!), e.line, e.path, e.detail])).toEqual([
        ["connectors/source.d/more.toml", 3, "connectors[0].type", "unknown source connector kind \"nett\""],
        ["connectors/source.d/more.toml", 8, "connectors[1].params.host", "net sources may not listen on every interface"],
        ["connectors/sink.d/more.toml", 3, "connectors[0].type", "unknown sink connector kind \"gen\""]
      ])
      expect(errors[0]!.suggestion).toBe("did you mean \"net\"?")
    }))

  it.scopedLive("one run reports every problem, each with its file and key path", () =>
    Effect.gen(function*() {
      const { dir, errors, failure } = yield* errorsOf({
        ...cleanFiles,
        "connectors/source.d/net.toml": `${cleanFiles["connectors/source.d/net.toml"]}\n[[connectors]]\nid = "net_in"\ntype = "net"\n`,
        "topology/sources/a.toml": `[[sources]]\nkey = "in1"\nconnect = "net_in"\nparams = { host = "x" }\n\n[[sources]]\nkey = "in2"\nconnect = "nope"\n`,
        "topology/sinks/broken.toml": `[sink_group\n`,
        "topology/sinks/main.toml": `[sink_group]\nname = "main"\n[[sink_group.sinks]]\nconnect = "net_out"\nparams = { port = "${"${PORT}"}" }\n`
      })
      expect(errors.map((e) => [path.relative(dir, e.file!), e.path])).toEqual([
        ["connectors/source.d/net.toml", "connectors[1].id"],
        ["topology/sources/a.toml", "sources[0].params.host"],
        ["topology/sources/a.toml", "sources[1].connect"],
        ["topology/sinks/broken.toml", undefined],
        ["topology/sinks/main.toml", "sink_group.sinks[0].params.port"]
      ])
      expect(failure._tag).toBe("ProjectErrors")
      expect(failure.code).toBe(300)
      expect(failure.message.split("\n")).toHaveLength(6)
      expect(failure.message.split("\n")[0]).toBe(`[300 ConfigError] 5 problems in project ${dir}:`)
    }))
})
