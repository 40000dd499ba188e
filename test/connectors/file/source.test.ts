import * as fsSync from "node:fs"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Option, Schedule, Scope, Stream } from "effect"
import * as Checkpoint from "../../../src/connectors/file/checkpoint.js"
import * as FileConnector from "../../../src/connectors/file/index.js"
import {
  ConnectorRegistry,
  DataSource,
  type ParamMap,
  RawData,
  SeekPosition,
  type SourceError,
  type SourceEvent,
  SourceFactory,
  Tags
} from "../../../src/index.js"
import { numbered, openUnder, tempDir } from "./fixtures.js"

const registry = ConnectorRegistry.fromConnectors(FileConnector.layer)

const spec = (params: ParamMap.ParamMap, name = "in"): SourceFactory.ResolvedSourceSpec => ({
  name,
  kind: "file",
  connectorId: "file-src",
  params,
  tags: ["env:test"]
})

/** Builds the `file` source of `params` in the current Scope, with `dir/work` as work root. */
const build = (dir: string, params: ParamMap.ParamMap, name = "in") =>
  Effect.gen(function*() {
    const factory = yield* (yield* ConnectorRegistry.ConnectorRegistry).sourceFactory("file")
    const svc = yield* factory.build(spec({ base: dir, ...params }, name), SourceFactory.buildCtx(path.join(dir, "work")))
    return svc.sources[0]!.source
  }).pipe(Effect.provide(registry))

/** Every payload until the end, in order, through `DataSource.stream`. */
const readAll = (source: DataSource.DataSource) =>
  Effect.map(Stream.runCollect(DataSource.stream(source)), (events) => Chunk.toArray(events))

const write = (file: string, lines: ReadonlyArray<string>) => Effect.promise(() => fs.writeFile(file, lines.map((l) => `${l}\n`).join("")))
const append = (file: string, text: string) => Effect.promise(() => fs.appendFile(file, text))
const checkpointOf = (dir: string, name = "in") =>
  Effect.map(Effect.promise(() => fs.readFile(Checkpoint.location(path.join(dir, "work"), name), "utf8")), (t) =>
    JSON.parse(t) as Checkpoint.Checkpoint)

/** Receives until `count` events arrived (polling empty batches), at most `tries` times. */
const receiveN = (source: DataSource.DataSource, count: number, tries = 400) =>
  Effect.gen(function*() {
    const out: Array<SourceEvent.SourceEvent> = []
    for (let i = 0; i < tries && out.length < count; i++) {
      const batch = yield* source.receive
      if (batch.length === 0) yield* Effect.sleep("10 millis")
      out.push(...batch)
    }
    return out
  })

describe("file source", () => {
  it.scopedLive("reads lines in batches of batch_lines, tagged, then ends with SourceEof", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* Effect.promise(() => fs.writeFile(path.join(dir, "a.log"), "one\n\nthree\nfour\nfive"))
      const source = yield* build(dir, { file: "a.log", batch_lines: 2 })
      expect(source.identifier).toBe(`file:${path.join(dir, "a.log")}`)
      expect(source.caps).toEqual({ ack: true, seek: true, parallel: false })
      const batches: Array<SourceEvent.SourceBatch> = []
      let error: SourceError | undefined
      while (error === undefined) {
        const exit = yield* Effect.either(source.receive)
        if (exit._tag === "Right") batches.push(exit.right)
        else error = exit.left
      }
      expect(batches.map((b) => b.map((e) => e.payload))).toEqual([["one", ""], ["three", "four"], ["five"]])
      expect(error._tag).toBe("SourceEof")
      expect(error.code).toBe(101)
      const events = batches.flat()
      expect(events.map((e) => e.eventId)).toEqual([0, 1, 2, 3, 4])
      expect(events.every((e) => e.srcKey === "in" && Tags.getOrUndefined(e.tags, "env") === "test")).toBe(true)
      // the ack token is the event's number; acking in order moves the checkpoint to each line's end
      expect(events.map((e) => e.ackToken)).toEqual([0, 1, 2, 3, 4])
      const offsets: Array<number> = []
      for (const e of events) {
        yield* source.ack(e.ackToken)
        offsets.push((yield* checkpointOf(dir)).offset)
      }
      expect(offsets).toEqual([4, 5, 11, 16, 20])
    }))

  it.scopedLive("offers full batches through tryReceive after a receive", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* write(path.join(dir, "a.log"), numbered(25))
      const source = yield* build(dir, { file: "a.log", batch_lines: 10, read_bytes: 4096 })
      expect(source.supportsTryReceive).toBe(true)
      expect(Option.isNone(source.tryReceive())).toBe(true)
      expect((yield* source.receive)).toHaveLength(10)
      const fast = source.tryReceive()
      expect(Option.map(fast, (b) => b.map((e) => e.payload))).toEqual(Option.some(numbered(10, 10)))
      // 5 left: not a full batch, and the end is not known yet
      expect(Option.isNone(source.tryReceive())).toBe(true)
      expect((yield* source.receive).map((e) => e.payload)).toEqual(numbered(5, 20))
      expect((yield* Effect.flip(source.receive))._tag).toBe("SourceEof")
    }))

  it.scopedLive("resumes after the last acked line when rebuilt, and repeats only what was not acked", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = path.join(dir, "a.log")
      yield* write(file, numbered(100))
      const first = yield* Effect.scoped(Effect.gen(function*() {
        const source = yield* build(dir, { file: "a.log", batch_lines: 30 })
        const a = yield* source.receive
        const b = yield* source.receive
        yield* source.ackBatch(a.map((e) => e.ackToken))
        return [a, b]
      }))
      expect(first[1]).toHaveLength(30)
      const cp = yield* checkpointOf(dir)
      expect(cp.path).toBe(file)
      expect(cp.offset).toBe(numbered(30).join("\n").length + 1)
      const rest = yield* Effect.scoped(Effect.flatMap(build(dir, { file: "a.log", batch_lines: 30 }), readAll))
      expect(rest.map((e) => e.payload)).toEqual(numbered(70, 30))
    }))

  it.scopedLive("ackUpTo commits every line up to the one acked, and a rebuilt source resumes after it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* write(path.join(dir, "a.log"), numbered(50))
      yield* Effect.scoped(Effect.gen(function*() {
        const source = yield* build(dir, { file: "a.log", batch_lines: 20 })
        const a = yield* source.receive
        const b = yield* source.receive
        yield* source.ackUpTo!(b[4]!.ackToken)
        // an ack of what is already committed changes nothing; a token never handed out is refused
        yield* source.ackUpTo!(a[3]!.ackToken)
        const refused = yield* Effect.flip(source.ackUpTo!(9999))
        expect(refused.code).toBe(500)
        expect(refused.detail).toContain("not a file source ack token")
      }))
      expect((yield* checkpointOf(dir)).offset).toBe(numbered(25).join("\n").length + 1)
      const rest = yield* Effect.scoped(Effect.flatMap(build(dir, { file: "a.log", batch_lines: 20 }), readAll))
      expect(rest.map((e) => e.payload)).toEqual(numbered(25, 25))
    }))

  it.scopedLive("advances the checkpoint only over events acked without a gap, whatever the ack order", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* write(path.join(dir, "a.log"), ["aa", "bb", "cc", "dd"])
      const source = yield* build(dir, { file: "a.log" })
      const events = yield* source.receive
      yield* source.ack(events[2]!.ackToken)
      yield* source.ack(events[1]!.ackToken)
      expect((yield* checkpointOf(dir)).offset).toBe(0)
      yield* source.ack(events[0]!.ackToken)
      expect((yield* checkpointOf(dir)).offset).toBe(9)
      yield* source.ack(events[0]!.ackToken)
      expect((yield* checkpointOf(dir)).offset).toBe(9)
      const bad = yield* Effect.flip(source.ack(42))
      expect(bad._tag).toBe("SourceSupplierError")
      expect(bad.detail).toContain("not a file source ack token")
    }))

  it.scopedLive("without a checkpoint for it, starts at the beginning, or at the end with start = end", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = path.join(dir, "a.log")
      yield* write(file, ["old-1", "old-2"])
      const source = yield* build(dir, { file: "a.log", start: "end", follow: true, poll_ms: 10 })
      expect(yield* source.receive).toEqual([])
      yield* append(file, "new-1\n")
      expect((yield* receiveN(source, 1)).map((e) => e.payload)).toEqual(["new-1"])
      const fromStart = yield* Effect.scoped(Effect.flatMap(build(dir, { file: "a.log", checkpoint: false }, "other"), readAll))
      expect(fromStart.map((e) => e.payload)).toEqual(["old-1", "old-2", "new-1"])
      expect(fsSync.existsSync(Checkpoint.location(path.join(dir, "work"), "other"))).toBe(false)
    }))

  it.scopedLive("reads from 0 when the checkpoint's file was replaced or truncated, or the checkpoint is corrupt", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = path.join(dir, "a.log")
      const readAcking = Effect.scoped(Effect.gen(function*() {
        const source = yield* build(dir, { file: "a.log" })
        const events = yield* readAll(source)
        yield* source.ackBatch(events.map((e) => e.ackToken))
        return events.map((e) => e.payload)
      }))
      yield* write(file, ["a", "b", "c"])
      expect(yield* readAcking).toEqual(["a", "b", "c"])
      expect(yield* readAcking).toEqual([])
      // replaced by another file (another inode) while stopped
      yield* Effect.promise(() => fs.rename(file, `${file}.1`))
      yield* write(file, ["d", "e", "f", "g"])
      expect(yield* readAcking).toEqual(["d", "e", "f", "g"])
      // truncated below the checkpoint while stopped
      yield* Effect.promise(() => fs.truncate(file, 0))
      yield* append(file, "h\n")
      expect(yield* readAcking).toEqual(["h"])
      // a checkpoint that is not one
      yield* Effect.promise(() => fs.writeFile(Checkpoint.location(path.join(dir, "work"), "in"), "{not json"))
      expect(yield* readAcking).toEqual(["h"])
    }))

  it.scopedLive("seeks to Start, End and byte offsets (inside a line: to the next line); refuses other positions", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* write(path.join(dir, "a.log"), ["alpha", "beta", "gamma"])
      const source = yield* build(dir, { file: "a.log", batch_lines: 1 })
      const payload = Effect.map(source.receive, (b) => b.map((e) => e.payload))
      expect(yield* payload).toEqual(["alpha"])
      yield* source.seek(SeekPosition.Offset({ offset: 11 }))
      expect(yield* payload).toEqual(["gamma"])
      yield* source.seek(SeekPosition.Offset({ offset: 2 }))
      const next = yield* source.receive
      expect(next.map((e) => e.payload)).toEqual(["beta"])
      yield* source.ack(next[0]!.ackToken)
      expect((yield* checkpointOf(dir)).offset).toBe(11)
      yield* source.seek(SeekPosition.Start())
      expect(yield* payload).toEqual(["alpha"])
      expect((yield* checkpointOf(dir)).offset).toBe(0)
      yield* source.seek(SeekPosition.End())
      expect((yield* Effect.flip(source.receive))._tag).toBe("SourceEof")
      const outside = yield* Effect.flip(source.seek(SeekPosition.Offset({ offset: 99 })))
      expect(outside.code).toBe(500)
      expect(outside.detail).toContain("seek offset 99 is outside 0..17")
      const fraction = yield* Effect.flip(source.seek(SeekPosition.Offset({ offset: 1.5 })))
      expect(fraction.detail).toContain("seek offset 1.5")
      const time = yield* Effect.flip(source.seek(SeekPosition.Time({ time: new Date(0) })))
      expect(time._tag).toBe("SourceSupplierError")
      expect(time.detail).toContain("cannot seek to Time")
      expect((yield* Effect.flip(source.seek(SeekPosition.Token({ token: "x" })))).detail).toContain("Token")
    }))

  it.scopedLive("ignores acks of events read before a seek", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* write(path.join(dir, "a.log"), ["alpha", "beta"])
      const source = yield* build(dir, { file: "a.log" })
      const before = yield* source.receive
      yield* source.seek(SeekPosition.End())
      yield* source.ackBatch(before.map((e) => e.ackToken))
      expect((yield* checkpointOf(dir)).offset).toBe(11)
      yield* source.seek(SeekPosition.Start())
      yield* source.ackBatch(before.map((e) => e.ackToken))
      expect((yield* checkpointOf(dir)).offset).toBe(0)
    }))

  it.scopedLive("turns lines that are not UTF-8 into bytes and survives garbage", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = path.join(dir, "bin.log")
      const garbage = Buffer.alloc(200_000)
      let seed = 7
      for (let i = 0; i < garbage.length; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff
        garbage[i] = seed >> 16 & 0xff
      }
      const content = Buffer.concat([Buffer.from("héllo\n"), Buffer.from([0xc3, 0x28, 0x0a]), garbage])
      yield* Effect.promise(() => fs.writeFile(file, content))
      const events = yield* readAll(yield* build(dir, { file: "bin.log", read_bytes: 1000 }))
      expect(events[0]!.payload).toBe("héllo")
      expect(events[1]!.payload).toEqual(new Uint8Array([0xc3, 0x28]))
      // every byte is accounted for: payloads joined by newlines give the file back
      const back = Buffer.concat(events.map((e, i) =>
        Buffer.concat([Buffer.from(RawData.bytes(e.payload)), Buffer.from(i < events.length - 1 || content.at(-1) === 0x0a ? "\n" : "")])
      ))
      expect(back.equals(content)).toBe(true)
    }))

  it.scopedLive("cuts a 10 MB line to max_line_bytes, tags it truncated and reads on", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = path.join(dir, "big.log")
      yield* Effect.promise(() => fs.writeFile(file, `before\n${"z".repeat(10 * 1024 * 1024)}\nafter\n`))
      const source = yield* build(dir, { file: "big.log" })
      const events = yield* readAll(source)
      expect(events.map((e) => RawData.length(e.payload))).toEqual([6, 1024 * 1024, 5])
      expect(events.map((e) => Tags.getOrUndefined(e.tags, "truncated"))).toEqual([undefined, "true", undefined])
      expect(Tags.getOrUndefined(events[1]!.tags, "env")).toBe("test")
      yield* source.ackBatch([events[0]!.ackToken, events[1]!.ackToken])
      expect((yield* checkpointOf(dir)).offset).toBe(7 + 10 * 1024 * 1024 + 1)
      expect(events[2]!.payload).toBe("after")
    }))

  it.scopedLive("with encode = raw, yields chunks of read_bytes that give the file back", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const content = Buffer.from(numbered(500).join("\n"))
      yield* Effect.promise(() => fs.writeFile(path.join(dir, "r.bin"), content))
      const events = yield* readAll(yield* build(dir, { file: "r.bin", encode: "raw", read_bytes: 1000, batch_lines: 3 }))
      expect(events.every((e) => e.payload instanceof Uint8Array)).toBe(true)
      expect(events.slice(0, -1).every((e) => RawData.length(e.payload) === 1000)).toBe(true)
      expect(Buffer.concat(events.map((e) => e.payload as Uint8Array)).equals(content)).toBe(true)
    }))

  it.scopedLive("with follow, reads appended lines, a half-written line once it is complete, and never ends", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = path.join(dir, "f.log")
      yield* write(file, ["a"])
      const source = yield* build(dir, { file: "f.log", follow: true, poll_ms: 10 })
      expect((yield* receiveN(source, 1)).map((e) => e.payload)).toEqual(["a"])
      yield* append(file, "b\nhal")
      expect((yield* receiveN(source, 1)).map((e) => e.payload)).toEqual(["b"])
      expect(yield* source.receive).toEqual([])
      yield* append(file, "f\n")
      expect((yield* receiveN(source, 1)).map((e) => e.payload)).toEqual(["half"])
      expect(yield* source.receive).toEqual([])
    }))

  it.scopedLive("with follow, survives rotation by rename: the old file to its end, then the new one", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = path.join(dir, "app.log")
      yield* write(file, numbered(3))
      const source = yield* build(dir, { file: "app.log", follow: true, poll_ms: 10 })
      const got = yield* receiveN(source, 3)
      // the writer still appends to the renamed file before the new one appears
      yield* Effect.promise(() => fs.rename(file, `${file}.1`))
      yield* append(`${file}.1`, "line-3\nline-4")
      yield* write(file, numbered(2, 5))
      got.push(...(yield* receiveN(source, 4)))
      expect(got.map((e) => e.payload)).toEqual(numbered(7))
      // the checkpoint follows the new file
      yield* source.ackBatch(got.map((e) => e.ackToken))
      const cp = yield* checkpointOf(dir)
      expect(cp.ino).toBe((yield* Effect.promise(() => fs.stat(file))).ino)
      expect(cp.offset).toBe(14)
    }))

  it.scopedLive("with follow, reads a truncated file again from its start", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = path.join(dir, "t.log")
      yield* write(file, ["first-long-line", "second-long-line"])
      const source = yield* build(dir, { file: "t.log", follow: true, poll_ms: 10 })
      expect(yield* receiveN(source, 2)).toHaveLength(2)
      yield* Effect.promise(() => fs.truncate(file, 0))
      yield* append(file, "x\n")
      expect((yield* receiveN(source, 1)).map((e) => e.payload)).toEqual(["x"])
    }))

  it.scopedLive("fails on a missing file without follow, naming it; with follow waits for it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const missing = yield* Effect.flip(build(dir, { file: "nope.log" }))
      expect(missing._tag).toBe("SourceUvs")
      expect(missing.code).toBe(102)
      expect(missing.message).toContain(path.join(dir, "nope.log"))
      const source = yield* build(dir, { file: "later.log", follow: true, poll_ms: 10 })
      expect(yield* source.receive).toEqual([])
      const seek = yield* Effect.flip(source.seek(SeekPosition.Start()))
      expect(seek.detail).toContain("not open")
      yield* write(path.join(dir, "later.log"), ["hello"])
      expect((yield* receiveN(source, 1)).map((e) => e.payload)).toEqual(["hello"])
    }))

  it.scopedLive("refuses a directory, and a path under a regular file, naming the path", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* Effect.promise(() => fs.mkdir(path.join(dir, "sub")))
      const isDir = yield* Effect.flip(build(dir, { file: "sub" }))
      expect(isDir._tag).toBe("SourceUvs")
      expect(isDir.message).toContain("EISDIR")
      expect(isDir.message).toContain(path.join(dir, "sub"))
      yield* write(path.join(dir, "afile"), ["x"])
      const notDir = yield* Effect.flip(build(dir, { base: path.join(dir, "afile"), file: "sub.log" }))
      expect(notDir._tag).toBe("SourceUvs")
      expect(notDir.message).toContain("ENOTDIR")
      expect(notDir.message).toContain(path.join(dir, "afile", "sub.log"))
    }))

  it.effect("rejects bad params with a ConfigError naming the param, in validateSpec and build", () =>
    Effect.gen(function*() {
      const factory = yield* (yield* ConnectorRegistry.ConnectorRegistry).sourceFactory("file")
      const cases: Array<[ParamMap.ParamMap, string]> = [
        [{ base: "", file: "a" }, "params.base"],
        [{ base: "/tmp", file: " a" }, "params.file"],
        [{ base: "/tmp", file: "a", encode: "utf16" }, "params.encode"],
        [{ base: "/tmp", file: "a", batch_lines: 0 }, "params.batch_lines"],
        [{ base: "/tmp", file: "a", max_line_bytes: "big" }, "params.max_line_bytes"],
        [{ base: "/tmp", file: "a", start: "middle" }, "params.start"],
        [{ base: "/tmp", file: "a", follow: "yes" }, "params.follow"]
      ]
      for (const [params, where] of cases) {
        const invalid = yield* Effect.flip(factory.validateSpec(spec(params)))
        expect(invalid._tag).toBe("ConfigError")
        expect(invalid.code).toBe(300)
        expect(invalid.path).toBe(where)
        const built = yield* Effect.flip(Effect.scoped(factory.build(spec(params), SourceFactory.buildCtx("/tmp"))))
        expect(built._tag).toBe("ConfigError")
      }
      yield* factory.validateSpec(spec({ base: "/tmp", file: "a" }))
      // base and file have defaults (those of the file-src definition): leaving them out is no error
      yield* factory.validateSpec(spec({}))
    }).pipe(Effect.provide(registry)))

  it.live("loses no event when receive is interrupted, and releases every descriptor and timer", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const dir = yield* Scope.extend(tempDir, scope)
      const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout" || r === "Immediate").length
      const before = timers()
      const file = path.join(dir, "i.log")
      yield* write(file, [])
      const got: Array<string> = []
      yield* Effect.gen(function*() {
        const source = yield* build(dir, { file: "i.log", follow: true, poll_ms: 1, batch_lines: 7 })
        for (let round = 0; round < 20; round++) {
          yield* append(file, numbered(13, round * 13).map((l) => `${l}\n`).join(""))
          for (let i = 0; i < 10; i++) {
            const batch = yield* Effect.timeout(source.receive, "0 millis").pipe(Effect.option)
            if (Option.isSome(batch)) got.push(...batch.value.map((e) => RawData.text(e.payload)))
          }
        }
        got.push(...(yield* receiveN(source, 260 - got.length)).map((e) => RawData.text(e.payload)))
        expect(openUnder(dir).length).toBeGreaterThan(0)
      }).pipe(Scope.extend(scope))
      yield* Scope.close(scope, Exit.void).pipe(Effect.as(undefined), Effect.orDie)
      expect(got).toEqual(numbered(260))
      expect(openUnder(dir)).toEqual([])
      expect(timers()).toBeLessThanOrEqual(before)
    }))

  it.live("runs as a stream under the poll schedule, and the checkpoint is written on close", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.scoped(Effect.gen(function*() {
        const dir = yield* tempDir
        yield* write(path.join(dir, "s.log"), numbered(5))
        const out = yield* Effect.scoped(Effect.gen(function*() {
          const source = yield* build(dir, { file: "s.log", follow: true, poll_ms: 5 })
          return yield* Stream.runCollect(DataSource.stream(source, { poll: Schedule.recurs(3) }).pipe(
            Stream.tap((e) => source.ack(e.ackToken))
          ))
        }))
        expect(Chunk.toArray(out).map((e) => e.payload)).toEqual(numbered(5))
        expect((yield* checkpointOf(dir)).offset).toBe(35)
        return dir
      }))
      expect(fsSync.existsSync(dir)).toBe(false)
    }))
})
