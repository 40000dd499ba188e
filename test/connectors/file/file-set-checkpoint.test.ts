import * as fs from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import * as Checkpoint from "../../../src/connectors/file/checkpoint.js"
import * as FileSetCheckpoint from "../../../src/connectors/file/file-set-checkpoint.js"
import { type DataSource, type ParamMap, SeekPosition } from "../../../src/index.js"
import { build, drain, fileOf, savedOffsets, textOf } from "./file-set-fixtures.js"
import { numbered, tempDir } from "./fixtures.js"

const write = (file: string, lines: ReadonlyArray<string>) => Effect.promise(() => fs.writeFile(file, lines.map((l) => `${l}\n`).join("")))

const checkpointOf = (dir: string) =>
  Effect.map(Effect.promise(() => fs.readFile(Checkpoint.location(path.join(dir, "work"), "in"), "utf8")), (t) => JSON.parse(t) as unknown)

/** Runs `body` with a source of `params` in a Scope of its own, closed (checkpoint written) when it ends. */
const session = <A, E>(dir: string, params: ParamMap.ParamMap, body: (source: DataSource.DataSource) => Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const source = yield* Scope.extend(build(dir, params), scope)
    const result = yield* body(source)
    yield* Scope.close(scope, Exit.void)
    return result
  })

describe("file source over a glob: checkpoints, acks and seeks per file", () => {
  it.scopedLive("keeps one checkpoint entry per file; a restart resumes each file after its own acked events", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* write(path.join(dir, "a.log"), numbered(10, 0))
      yield* write(path.join(dir, "b.log"), numbered(10, 100))
      yield* session(dir, { file: "*.log" }, (source) =>
        Effect.gen(function*() {
          const events = yield* drain(source, (e) => e.length >= 20, { ack: false })
          // acks out of order: a.log's 4th before its first three; b.log all of them; a.log's 6th..10th never
          const ofA = events.filter((e) => fileOf(e)!.endsWith("a.log"))
          const ofB = events.filter((e) => fileOf(e)!.endsWith("b.log"))
          yield* source.ackBatch([ofA[3]!.ackToken, ...ofB.map((e) => e.ackToken), ofA[0]!.ackToken, ofA[2]!.ackToken, ofA[1]!.ackToken, ofA[4]!.ackToken])
        }))
      expect(yield* savedOffsets(dir)).toEqual({ "a.log": 35, "b.log": 90 })
      const loaded = yield* FileSetCheckpoint.load(Checkpoint.location(path.join(dir, "work"), "in"))
      expect(loaded._tag === "Found" && loaded.files.every((f) => /^[0-9a-f]{24}$/.test(f.fingerprint ?? ""))).toBe(true)
      const again = yield* session(dir, { file: "*.log" }, (source) => drain(source, () => false))
      expect(again.map(textOf)).toEqual(numbered(5, 5))
    }))

  it.scopedLive("reads a single-file checkpoint (the format before) and goes on from it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* write(path.join(dir, "app.log"), numbered(20))
      // the single-file source reads and acks 10 lines
      yield* session(dir, { file: "app.log", batch_lines: 10 }, (source) =>
        Effect.gen(function*() {
          const batch = yield* source.receive
          yield* source.ackBatch(batch.map((e) => e.ackToken))
        }))
      const before = (yield* checkpointOf(dir)) as Record<string, unknown>
      expect(before).toMatchObject({ path: path.join(dir, "app.log"), offset: 70 })
      expect(before["version"]).toBeUndefined()
      // the same source now over a glob
      const rest = yield* session(dir, { file: "app.lo[g]" }, (source) => drain(source, () => false))
      expect(rest.map(textOf)).toEqual(numbered(10, 10))
      expect(yield* savedOffsets(dir)).toEqual({ "app.log": 150 })
    }))

  it.scopedLive("seeks one file with Token \"<path>:<offset>\", leaving the others; refuses other positions by name", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* write(path.join(dir, "a.log"), numbered(5, 0))
      yield* write(path.join(dir, "b.log"), numbered(5, 100))
      const source = yield* build(dir, { file: "*.log", follow: true, poll_ms: 5 })
      yield* drain(source, (e) => e.length >= 10)
      // offset 9 is inside "line-1": reading starts at the next line
      yield* source.seek(SeekPosition.Token({ token: `${path.join(dir, "a.log")}:9` }))
      const replayed = yield* drain(source, (e) => e.length >= 3, { tries: 50 })
      expect(replayed.map(textOf)).toEqual(["line-2", "line-3", "line-4"])
      const offset = yield* Effect.flip(source.seek(SeekPosition.Offset({ offset: 3 })))
      expect(offset.message).toContain("cannot seek to Offset; use Start, End or Token \"<path>:<offset>\"")
      const bad = yield* Effect.flip(source.seek(SeekPosition.Token({ token: "a.log" })))
      expect(bad.message).toContain(`seek token "a.log" is not "<path>:<offset>"`)
      const none = yield* Effect.flip(source.seek(SeekPosition.Token({ token: "c.log:0" })))
      expect(none.message).toContain("cannot seek in c.log: no such file is being read")
      const far = yield* Effect.flip(source.seek(SeekPosition.Token({ token: "b.log:9999" })))
      expect(far.message).toContain(`seek offset 9999 is outside 0..45 of ${path.join(dir, "b.log")}`)
    }))

  it.scopedLive("ackUpTo acks every event handed out before the token, across files", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* write(path.join(dir, "a.log"), numbered(10, 0))
      yield* write(path.join(dir, "b.log"), numbered(10, 100))
      yield* session(dir, { file: "*.log", batch_lines: 4 }, (source) =>
        Effect.gen(function*() {
          const events = yield* drain(source, () => false, { ack: false })
          // one file's lines, then the other's (which comes first is the source's turn)
          const [first, second] = fileOf(events[0]!)!.endsWith("a.log") ? ["a.log", "b.log"] : ["b.log", "a.log"]
          expect(events.map((e) => path.basename(fileOf(e)!))).toEqual([...Array(10).fill(first), ...Array(10).fill(second)])
          const lineBytes = { "a.log": 7, "b.log": 9 } as Record<string, number>
          // up to the second file's first line: all of the first file and that line
          yield* source.ackUpTo!(events[10]!.ackToken)
          expect(yield* savedOffsets(dir)).toEqual({ [first]: 10 * lineBytes[first]!, [second]: lineBytes[second] })
          // a token acked already changes nothing; a later one goes on from there
          yield* source.ackUpTo!(events[3]!.ackToken)
          yield* source.ackUpTo!(events[14]!.ackToken)
          expect(yield* savedOffsets(dir)).toEqual({ [first]: 10 * lineBytes[first]!, [second]: 5 * lineBytes[second]! })
          const error = yield* Effect.flip(source.ackUpTo!(42))
          expect(error.message).toContain("not a file source ack token (a FileToken it handed out): 42")
        }))
    }))

  it.scopedLive("a checkpoint write torn by a kill loses one ack at most: the restart goes on from the write before", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* write(path.join(dir, "a.log"), numbered(30, 0))
      yield* session(dir, { file: "*.log", batch_lines: 10 }, (source) =>
        Effect.gen(function*() {
          for (let i = 0; i < 3; i++) {
            const batch = yield* source.receive
            yield* source.ackBatch(batch.map((e) => e.ackToken))
          }
        }))
      // the last write (all 30 acked) torn: a kill in the middle of a write of more than a page leaves part of it
      const files = (yield* Effect.promise(() => fs.readdir(path.join(dir, "work", "checkpoints")))).map((f) => path.join(dir, "work", "checkpoints", f))
      const texts = yield* Effect.promise(() => Promise.all(files.map((f) => fs.readFile(f, "utf8"))))
      const latest = files[texts.findIndex((t) => t.includes(`"offset":230`))]!
      const text = yield* Effect.promise(() => fs.readFile(latest, "utf8"))
      yield* Effect.promise(() => fs.writeFile(latest, text.slice(0, 40) + " ".repeat(text.length - 41) + "\n"))
      const again = yield* session(dir, { file: "*.log" }, (source) => drain(source, () => false))
      // the write before (20 acked) is there: the last 10 lines again, not all 30
      expect(again.map(textOf)).toEqual(numbered(10, 20))
    }))
})
