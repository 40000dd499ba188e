/**
 * What a WarpParse work root holds, one item at a time, on copies of test/project/fixtures/warpparse
 * loaded with the built-in connectors: conf/wparse.toml, `[defaults]`, `expect`, the infra groups, and
 * the connector kinds this edition does not have.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import * as Builtins from "../../src/connectors/builtins.js"
import * as Project from "../../src/project/project.js"
import { tempDir, writeFiles, type Files } from "./fixtures.js"

const fixture = path.join(import.meta.dirname, "fixtures", "warpparse")

/** A copy of the fixture with `files` written over it (`""` removes a file). */
const copyWith = (files: Files) =>
  Effect.gen(function*() {
    const dir = path.join(yield* tempDir, "wp")
    fs.cpSync(fixture, dir, { recursive: true })
    for (const [rel, text] of Object.entries(files)) if (text === "") fs.rmSync(path.join(dir, rel))
    yield* writeFiles(dir, Object.fromEntries(Object.entries(files).filter(([, t]) => t !== "")))
    return dir
  })

const load = (dir: string) => Project.loadProject(dir).pipe(Effect.either, Effect.provide(Builtins.layer))

/** The project of the fixture changed by `files`, which must load clean. */
const loaded = (files: Files) =>
  Effect.gen(function*() {
    const dir = yield* copyWith(files)
    const result = yield* load(dir)
    if (Either.isLeft(result)) return yield* Effect.dieMessage(result.left.message)
    return { dir, project: result.right }
  })

/** The errors of the fixture changed by `files`, as `file:line: path: detail` relative to its root. */
const errors = (files: Files) =>
  Effect.gen(function*() {
    const dir = yield* copyWith(files)
    const result = yield* load(dir)
    if (Either.isRight(result)) return yield* Effect.dieMessage("the project loaded clean")
    return result.left.errors.map((e) => ({
      at: `${path.relative(dir, e.file ?? "")}:${e.line}: ${e.path ?? ""}`,
      detail: e.detail,
      expected: e.expected,
      suggestion: e.suggestion
    }))
  })

const conf = "conf/wparse.toml"

describe("conf/wparse.toml", () => {
  it.scoped("[rescue] path is the rescue directory and [performance] rate_limit_rps the read rate; engine.toml wins", () =>
    Effect.gen(function*() {
      const { dir, project } = yield* loaded({})
      expect(project.engine).toEqual({ rescueDir: path.join(dir, "data", "rescue"), readRateLimitRps: 10000 })
      expect(project.log).toEqual({ level: expect.objectContaining({ label: "WARN" }), output: "File", file: path.join(dir, "data", "logs", "wparse.log") })
      const over = yield* loaded({ "engine.toml": "[engine]\nrescue_dir = \"elsewhere\"\n" })
      expect(over.project.engine).toEqual({ rescueDir: "elsewhere", readRateLimitRps: 10000 })
    }))

  it.scoped("[topology] sources / sinks name the topology directories", () =>
    Effect.gen(function*() {
      const dir = yield* copyWith({})
      fs.renameSync(path.join(dir, "topology"), path.join(dir, "wp_topology"))
      fs.writeFileSync(path.join(dir, conf), "[topology]\nsources = \"./wp_topology/sources\"\nsinks = \"./wp_topology/sinks\"\n")
      const result = yield* load(dir)
      const project = Either.getOrThrowWith(result, (e) => new Error(e.message))
      expect(project.sources.map((s) => s.spec.name)).toEqual(["file_1", "file_2", "tcp_1", "syslog_1"])
      expect(project.sinkGroups.map((g) => g.file)).toContain(path.join(dir, "wp_topology", "sinks", "business.d", "demo.toml"))
      expect(project.warnings).toEqual([expect.objectContaining({ path: "sink_group.oml" })])
    }))

  it.scoped("an unknown key, a bad level, a file output without a path: each an error at its key", () =>
    Effect.gen(function*() {
      const found = yield* errors({
        [conf]: "[topolgy]\nsources = \"x\"\n\n[log_conf]\nlevel = \"loud\"\n\n[performance]\nrate_limit_rps = -1\n"
      })
      expect(found.map((e) => e.at)).toEqual([`${conf}:1: topolgy`, `${conf}:5: log_conf.level`, `${conf}:8: performance.rate_limit_rps`])
      expect(found[0]!.suggestion).toContain("topology")
      expect(found[1]!.expected).toContain("trace, debug, info, warn, error, off")
      const noPath = yield* errors({ [conf]: "[log_conf]\noutput = \"File\"\n" })
      expect(noPath.map((e) => [e.at, e.detail])).toEqual([[`${conf}:1: log_conf.file.path`, "missing required key"]])
    }))
})

describe("topology/sinks in WarpParse's layout", () => {
  it.scoped("[defaults] tags reach every group; [defaults.expect] is the base of each sink's expect", () =>
    Effect.gen(function*() {
      const { project } = yield* loaded({
        "topology/sinks/defaults.toml": "version = \"2.0\"\n[defaults]\ntags = [\"env:test\"]\n[defaults.expect]\nmode = \"error\"\nmin_samples = 3\n"
      })
      expect(project.sinkGroups.every((g) => g.tags.includes("env:test"))).toBe(true)
      const demo = project.sinkGroups.find((g) => g.name === "demo")!
      expect(Option.getOrThrow(demo.sinks[0]!.expect)).toEqual({
        bounds: { _tag: "Ratio", ratio: 0.5, tol: 0.2 },
        basis: "total_input",
        mode: "error",
        minSamples: 3
      })
      expect(project.sinkGroups.map((g) => [g.name, g.role ?? null])).toEqual([
        ["demo", null], ["default", "default"], ["error", "error"], ["miss", "miss"], ["monitor", "monitor"], ["residue", "residue"]
      ])
    }))

  it.scoped("expect: ratio without tol, ratio mixed with min, a basis not counted here — each an error at its key", () =>
    Effect.gen(function*() {
      const group = (expectText: string) => `[sink_group]\nname = "x"\n\n[[sink_group.sinks]]\nconnect = "file_raw_sink"\n\n[sink_group.sinks.expect]\n${expectText}\n`
      const found = yield* errors({
        "topology/sinks/business.d/a.toml": group("ratio = 0.5"),
        "topology/sinks/business.d/b.toml": group("ratio = 0.5\ntol = 0.1\nmin = 0.2").replace("\"x\"", "\"y\""),
        "topology/sinks/business.d/c.toml": group("min = 0.2\nbasis = \"group_input\"").replace("\"x\"", "\"z\"")
      })
      expect(found.map((e) => [e.at, e.detail])).toEqual([
        ["topology/sinks/business.d/a.toml:8: sink_group.sinks[0].expect.ratio", "ratio without tol"],
        ["topology/sinks/business.d/b.toml:8: sink_group.sinks[0].expect.ratio", "ratio/tol and min/max are mixed"],
        ["topology/sinks/business.d/c.toml:9: sink_group.sinks[0].expect.basis", "invalid value \"group_input\""]
      ])
      expect(found[2]!.expected).toContain("total_input")
    }))

  it.scoped("a WarpParse filter file (.wpl) is an error saying it is not read and that filters here select", () =>
    Effect.gen(function*() {
      const found = yield* errors({
        "topology/sinks/business.d/f.toml": "[sink_group]\nname = \"f\"\n\n[[sink_group.sinks]]\nconnect = \"file_raw_sink\"\nfilter = \"./error_filter.wpl\"\n"
      })
      expect(found.map((e) => [e.at, e.detail])).toEqual([
        ["topology/sinks/business.d/f.toml:6: sink_group.sinks[0].filter", "\"./error_filter.wpl\" is a WarpParse filter file, which this edition does not read"]
      ])
      expect(found[0]!.suggestion).toContain("selects")
    }))

  it.scoped("a group of infra.d/ must be one of WarpParse's infra groups", () =>
    Effect.gen(function*() {
      const found = yield* errors({
        "topology/sinks/infra.d/defualt.toml": "[sink_group]\nname = \"defualt\"\n\n[[sink_group.sinks]]\nconnect = \"file_raw_sink\"\n"
      })
      expect(found.map((e) => [e.at, e.detail])).toEqual([["topology/sinks/infra.d/defualt.toml:2: sink_group.name", "\"defualt\" is not an infra group"]])
      expect(found[0]!.suggestion).toContain("default")
    }))
})

describe("[[sources]] and [[sink_group.sinks]] in WarpParse's layout", () => {
  it.scoped("params_override is params (a refused key or a bad value is reported there); both at once is an error", () =>
    Effect.gen(function*() {
      const { project } = yield* loaded({})
      expect(project.sources.find((s) => s.spec.name === "file_2")!.spec.params).toMatchObject({ file: "gen2.dat" })
      const found = yield* errors({
        "topology/sources/more.toml": "[[sources]]\nkey = \"f3\"\nconnect = \"file_src\"\nparams_override = { follow = true }\n\n" +
          "[[sources]]\nkey = \"f4\"\nconnect = \"file_src\"\nparams = { file = \"a\" }\nparams_override = { file = \"b\" }\n\n" +
          "[[sources]]\nkey = \"t2\"\nconnect = \"tcp_src\"\n\n[sources.params_override]\nport = \"x\"\n"
      })
      expect(found.map((e) => [e.at, e.detail])).toEqual([
        ["topology/sources/more.toml:4: sources[0].params_override.follow", "connector \"file_src\" does not allow overriding \"follow\""],
        ["topology/sources/more.toml:10: sources[1].params_override", "both params and params_override are given"],
        // a value the factory refuses is placed where it is written, as any override
        ["topology/sources/more.toml:17: sources[2].params_override.port", "Expected number, actual \"x\""]
      ])
    }))
})

describe("WarpParse's shipped connector ids", () => {
  it.scoped("file_src, syslog_tcp_src, tcp_src and the sinks resolve without a definition in the project; a project's own wins", () =>
    Effect.gen(function*() {
      const { project } = yield* loaded({
        "connectors/source.d/00-file_src.toml": "",
        "connectors/source.d/01-tcp_src.toml": "",
        "topology/sources/more.toml": "[[sources]]\nkey = \"s1\"\nenable = false\nconnect = \"syslog_tcp_src\"\nparams = { port = 0, header_mode = \"parse\" }\n\n" +
          "[[sources]]\nkey = \"t1\"\nenable = false\nconnect = \"tcp_src\"\n",
        "topology/sinks/business.d/more.toml": "[sink_group]\nname = \"more\"\n\n[[sink_group.sinks]]\nconnect = \"file_json_sink\"\n\n" +
          "[[sink_group.sinks]]\nconnect = \"syslog_udp_sink\"\nparams = { app_name = \"wparse\" }\n\n[[sink_group.sinks]]\nconnect = \"blackhole_sink\"\n"
      })
      const src = (key: string) => project.sources.find((s) => s.spec.name === key)!.spec
      expect(src("file_1")).toMatchObject({ connectorId: "file_src", kind: "file", params: { base: "./data/in_dat", file: "gen.dat", encode: "text" } })
      expect(src("s1")).toMatchObject({ kind: "syslog", params: { protocol: "tcp", port: 0, header_mode: "parse", addr: "127.0.0.1" } })
      expect(src("t1")).toMatchObject({ kind: "tcp", params: { framing: "auto", port: 9000 } })
      const more = project.sinkGroups.find((g) => g.name === "more")!
      expect(more.sinks.map((s) => [s.spec.connectorId, s.spec.kind])).toEqual([["file_json_sink", "file"], ["syslog_udp_sink", "syslog"], ["blackhole_sink", "blackhole"]])
      expect(more.sinks[1]!.spec.params).toMatchObject({ app_name: "wparse", protocol: "udp" })
      // the fixture defines its own file_json_sink: it wins over the shipped one
      expect(project.sinkGroups.find((g) => g.name === "demo")!.sinks[0]!.spec.params).toMatchObject({ file: "demo.json", fmt: "json" })
    }))
})

describe("connectors WarpParse has and this edition does not", () => {
  it.scoped("kafka, victorialogs, elasticsearch: one error each at its definition's type, naming the kind; users of them are not reported again", () =>
    Effect.gen(function*() {
      const def = (id: string, type: string) => `[[connectors]]\nid = "${id}"\ntype = "${type}"\n\n[connectors.params]\nendpoint = "http://127.0.0.1:9428"\n`
      const found = yield* errors({
        "connectors/source.d/05-kafka_src.toml": def("kafka_src", "kafka"),
        "connectors/sink.d/09-victorialog_sink.toml": def("victorialogs_sink", "victorialogs"),
        "connectors/sink.d/11-es_sink.toml": def("es_sink", "elasticsearch"),
        "topology/sinks/business.d/vl.toml": "[sink_group]\nname = \"vl\"\n\n[[sink_group.sinks]]\nconnect = \"victorialogs_sink\"\n"
      })
      expect(found.map((e) => [e.at, e.detail])).toEqual([
        ["connectors/source.d/05-kafka_src.toml:3: connectors[0].type", "connector kind \"kafka\" is not available in this edition"],
        ["connectors/sink.d/09-victorialog_sink.toml:3: connectors[0].type", "connector kind \"victorialogs\" is not available in this edition"],
        ["connectors/sink.d/11-es_sink.toml:3: connectors[0].type", "connector kind \"elasticsearch\" is not available in this edition"]
      ])
      expect(found[0]!.expected).toContain("a kind this edition has: ")
      expect(found[1]!.suggestion).toContain("http sink")
    }))

  it.scoped("file sink fmt = \"proto\" is an error naming the formats that exist", () =>
    Effect.gen(function*() {
      const found = yield* errors({
        "connectors/sink.d/02-proto.toml": "[[connectors]]\nid = \"file_proto_sink\"\ntype = \"file\"\n\n[connectors.params]\nfmt = \"proto\"\n",
        "topology/sinks/business.d/proto.toml": "[sink_group]\nname = \"proto\"\n\n[[sink_group.sinks]]\nconnect = \"file_proto_sink\"\n"
      })
      expect(found.map((e) => e.at)).toEqual(["topology/sinks/business.d/proto.toml:4: sink_group.sinks[0].params.fmt"])
      expect(`${found[0]!.detail} ${found[0]!.expected}`).toMatch(/"proto".*raw.*json.*kv/s)
    }))
})
