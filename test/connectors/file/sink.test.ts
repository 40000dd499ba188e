import * as fsSync from "node:fs"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Option, Scope } from "effect"
import * as FileConnector from "../../../src/connectors/file/index.js"
import { ConnectorRegistry, DataRecord, type ParamMap, SinkFactory } from "../../../src/index.js"
import { openUnder, tempDir } from "./fixtures.js"

const registry = ConnectorRegistry.fromConnectors(FileConnector.layer)

const spec = (params: ParamMap.ParamMap): SinkFactory.ResolvedSinkSpec => ({
  group: "g",
  name: "out",
  kind: "file",
  connectorId: "file-sink",
  params,
  filter: Option.none()
})

/** Builds the `file` sink of `params` in the current Scope. */
const build = (params: ParamMap.ParamMap, ctx: Partial<SinkFactory.SinkBuildCtx> = {}) =>
  Effect.gen(function*() {
    const factory = yield* (yield* ConnectorRegistry.ConnectorRegistry).sinkFactory("file")
    const handle = yield* factory.build(spec(params), SinkFactory.buildCtx({ workRoot: "/tmp", ...ctx }))
    return handle.sink
  }).pipe(Effect.provide(registry))

const read = (file: string) => Effect.promise(() => fs.readFile(file, "utf8"))

const record = DataRecord.make([
  DataRecord.field("host", DataRecord.chars("web 1")),
  DataRecord.field("code", Option.getOrThrow(DataRecord.digit(9007199254740993n))),
  DataRecord.field("ok", DataRecord.bool(true)),
  DataRecord.field("tags", DataRecord.array([DataRecord.chars("a"), DataRecord.float(1.5)]))
])

/** The open flags of the descriptor this process holds on `file`, from `/proc/self/fdinfo` (the tests run on Linux). */
const openFlags = (file: string): number => {
  for (const fd of fsSync.readdirSync("/proc/self/fd")) {
    let target = ""
    try {
      target = fsSync.readlinkSync(`/proc/self/fd/${fd}`)
    } catch {
      continue
    }
    if (target !== file) continue
    const flags = /^flags:\s+([0-7]+)$/m.exec(fsSync.readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"))
    if (flags !== null) return parseInt(flags[1]!, 8)
  }
  throw new Error(`no descriptor open on ${file}`)
}

describe("file sink", () => {
  it.scopedLive("with fsync the file is opened O_DSYNC (each write durable when it returns); without, not", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const durable = yield* build({ base: dir, file: "durable.log" })
      const loose = yield* build({ base: dir, file: "loose.log", fsync: false })
      yield* durable.sinkStrBatch(["a", "b"])
      yield* loose.sinkStrBatch(["c"])
      expect(openFlags(path.join(dir, "durable.log")) & fsSync.constants.O_DSYNC).toBe(fsSync.constants.O_DSYNC)
      expect(openFlags(path.join(dir, "loose.log")) & fsSync.constants.O_DSYNC).toBe(0)
      expect(openFlags(path.join(dir, "durable.log")) & fsSync.constants.O_APPEND).toBe(fsSync.constants.O_APPEND)
      expect(yield* read(path.join(dir, "durable.log"))).toBe("a\nb\n")
      expect(yield* read(path.join(dir, "loose.log"))).toBe("c\n")
    }))

  it.scopedLive("appends one line per payload, creating the directory, and keeps what the file held", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const base = path.join(dir, "deep", "er")
      const file = path.join(base, "out.log")
      yield* Effect.scoped(Effect.gen(function*() {
        const sink = yield* build({ base, file: "out.log" })
        yield* sink.sinkStrBatch(["a", "b"])
        expect(yield* read(file)).toBe("a\nb\n")
        yield* sink.sinkStr("ü")
        yield* sink.sinkStrBatch([])
      }))
      yield* Effect.scoped(Effect.gen(function*() {
        const sink = yield* build({ base, file: "out.log", fsync: false })
        yield* sink.sinkBytes(new Uint8Array([0xff, 0x00, 0x41]))
        yield* sink.sinkBytesBatch([new Uint8Array([0x42]), new Uint8Array([])])
      }))
      const bytes = yield* Effect.promise(() => fs.readFile(file))
      expect([...bytes]).toEqual([...Buffer.from("a\nb\nü\n"), 0xff, 0x00, 0x41, 0x0a, 0x42, 0x0a, 0x0a])
    }))

  it.scopedLive("writes records as json, kv or raw lines", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      for (const fmt of ["json", "kv", "raw"] as const) {
        const sink = yield* build({ base: dir, file: `${fmt}.log`, fmt })
        yield* sink.sinkRecords([record, DataRecord.make([DataRecord.field("n", DataRecord.nil)])])
        yield* sink.sinkRecord(DataRecord.make([]))
      }
      expect(yield* read(path.join(dir, "json.log"))).toBe(
        `{"host":"web 1","code":9007199254740993,"ok":true,"tags":["a",1.5]}\n{"n":null}\n{}\n`
      )
      expect(yield* read(path.join(dir, "kv.log"))).toBe(
        `host="web 1" code=9007199254740993 ok=true tags="[\\"a\\",1.5]"\nn=null\n\n`
      )
      expect(yield* read(path.join(dir, "raw.log"))).toBe(`web 1 9007199254740993 true ["a",1.5]\nnull\n\n`)
    }))

  it.scopedLive("writes a batch of records of any size as its lines in order (joined 256 at a time)", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const sink = yield* build({ base: dir, file: "many.log", fmt: "json", fsync: false })
      const expected: Array<string> = []
      let n = 0
      for (const size of [1, 255, 256, 257, 512, 513, 1000]) {
        const records = Array.from({ length: size }, () => DataRecord.make([DataRecord.field("i", DataRecord.float(n++ + 0.5))]))
        for (const r of records) expected.push(DataRecord.toJsonText(r))
        yield* sink.sinkRecords(records)
      }
      expect(yield* read(path.join(dir, "many.log"))).toBe(`${expected.join("\n")}\n`)
      expect(expected).toHaveLength(2794)
    }))

  it.scopedLive("rotates to <file>.<n> before a batch would pass rotate_bytes, numbering on after a restart", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = path.join(dir, "r.log")
      const line = "x".repeat(9) // 10 bytes with its newline
      yield* Effect.scoped(Effect.gen(function*() {
        const sink = yield* build({ base: dir, file: "r.log", rotate_bytes: 25 })
        for (let i = 0; i < 5; i++) yield* sink.sinkStr(`${i}${line.slice(1)}`)
      }))
      expect((yield* Effect.promise(() => fs.readdir(dir))).sort()).toEqual(["r.log", "r.log.1", "r.log.2"])
      expect(yield* read(`${file}.1`)).toBe("0xxxxxxxx\n1xxxxxxxx\n")
      expect(yield* read(`${file}.2`)).toBe("2xxxxxxxx\n3xxxxxxxx\n")
      expect(yield* read(file)).toBe("4xxxxxxxx\n")
      yield* Effect.scoped(Effect.gen(function*() {
        const sink = yield* build({ base: dir, file: "r.log", rotate_bytes: 25 })
        yield* sink.sinkStrBatch(["5xxxxxxxx", "6xxxxxxxx"])
        // a batch larger than rotate_bytes still goes in one file
        yield* sink.sinkStrBatch(["7xxxxxxxx", "8xxxxxxxx", "9xxxxxxxx"])
      }))
      expect(yield* read(`${file}.3`)).toBe("4xxxxxxxx\n")
      expect(yield* read(`${file}.4`)).toBe("5xxxxxxxx\n6xxxxxxxx\n")
      expect(yield* read(file)).toBe("7xxxxxxxx\n8xxxxxxxx\n9xxxxxxxx\n")
    }))

  it.scopedLive("fails clearly on a path under a regular file and on a directory where the file should be", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* Effect.promise(() => fs.writeFile(path.join(dir, "afile"), "x"))
      const under = yield* Effect.flip(build({ base: path.join(dir, "afile", "sub"), file: "o.log" }))
      expect(under._tag).toBe("SinkUvs")
      expect(under.message).toContain(`create directory ${path.join(dir, "afile", "sub")}`)
      expect(under.message).toMatch(/ENOTDIR|EEXIST/)
      yield* Effect.promise(() => fs.mkdir(path.join(dir, "adir")))
      const isDir = yield* Effect.flip(build({ base: dir, file: "adir" }))
      expect(isDir._tag).toBe("SinkUvs")
      expect(isDir.message).toContain(`open ${path.join(dir, "adir")}: EISDIR`)
    }))

  it.live("stops once, refuses writes after stop, and releases the file when its Scope closes", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const dir = yield* Scope.extend(tempDir, scope)
      const sink = yield* Scope.extend(build({ base: dir, file: "s.log" }), scope)
      yield* sink.sinkStr("one")
      expect(openUnder(dir)).toEqual([path.join(dir, "s.log")])
      yield* sink.stop
      yield* sink.stop
      expect(openUnder(dir)).toEqual([])
      const after = yield* Effect.flip(sink.sinkStr("two"))
      expect(after.detail).toContain("sink stopped")
      expect(yield* read(path.join(dir, "s.log"))).toBe("one\n")
      const other = yield* Scope.extend(build({ base: dir, file: "t.log" }), scope)
      yield* other.reconnect
      yield* other.sinkStr("again")
      expect(openUnder(dir)).toEqual([path.join(dir, "t.log")])
      yield* Scope.close(scope, Exit.void)
      expect(fsSync.existsSync(dir)).toBe(false)
      expect(openUnder(dir)).toEqual([])
    }))

  it.scopedLive("gives each replica of a group its own file", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      for (const replicaIdx of [0, 1]) {
        const sink = yield* build({ base: dir, file: "out.dat" }, { replicaIdx, replicaCnt: 2 })
        yield* sink.sinkStr(`r${replicaIdx}`)
      }
      expect(yield* read(path.join(dir, "out-0.dat"))).toBe("r0\n")
      expect(yield* read(path.join(dir, "out-1.dat"))).toBe("r1\n")
    }))

  it.effect("rejects bad params with a ConfigError naming the param", () =>
    Effect.gen(function*() {
      const factory = yield* (yield* ConnectorRegistry.ConnectorRegistry).sinkFactory("file")
      const cases: Array<[ParamMap.ParamMap, string]> = [
        [{ base: "", file: "a" }, "params.base"],
        [{ base: "/tmp", file: "" }, "params.file"],
        [{ base: "/tmp", file: "a", fmt: "xml" }, "params.fmt"],
        [{ base: "/tmp", file: "a", rotate_bytes: -1 }, "params.rotate_bytes"],
        [{ base: "/tmp", file: "a", fsync: 1 }, "params.fsync"]
      ]
      for (const [params, where] of cases) {
        const invalid = yield* Effect.flip(factory.validateSpec(spec(params)))
        expect(invalid._tag).toBe("ConfigError")
        expect(invalid.path).toBe(where)
        const built = yield* Effect.flip(Effect.scoped(factory.build(spec(params), SinkFactory.buildCtx({ workRoot: "/tmp" }))))
        expect(built._tag).toBe("ConfigError")
      }
    }).pipe(Effect.provide(registry)))
})
