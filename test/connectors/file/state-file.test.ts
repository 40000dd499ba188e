import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Scope } from "effect"
import * as StateFile from "../../../src/connectors/file/state-file.js"
import { openUnder, tempDir } from "./fixtures.js"

/** Opens `file` in a Scope of its own; `close` closes that Scope. */
const openOwn = (file: string, unit = 64) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const state = yield* Scope.extend(StateFile.open(file, { what: "test state", unit }), scope)
    return { state, close: Scope.close(scope, Exit.void) }
  })

describe("StateFile", () => {
  it.scopedLive("writes padded records in whole units, never shorter than the file: a shorter record covers every byte of the longer one", () =>
    Effect.gen(function*() {
      const file = path.join(yield* tempDir, "state.json")
      const { close, state } = yield* openOwn(file)
      expect(state.held).toBe("")
      const long = JSON.stringify({ note: "x".repeat(100) })
      yield* state.write(long)
      expect(fs.readFileSync(file, "utf8")).toBe(long.padEnd(127) + "\n")
      yield* state.write(`{"n":1}`)
      yield* state.sync
      const bytes = fs.readFileSync(file, "utf8")
      expect(bytes.length).toBe(128)
      expect(bytes).toBe(`{"n":1}`.padEnd(127) + "\n")
      expect(JSON.parse(bytes)).toEqual({ n: 1 })
      yield* close
    }))

  it.scopedLive("a record that exactly fills a unit gets one more unit for its newline; multi-byte text is measured in bytes", () =>
    Effect.gen(function*() {
      const file = path.join(yield* tempDir, "state.json")
      const { close, state } = yield* openOwn(file, 8)
      yield* state.write("12345678")
      expect(fs.readFileSync(file, "utf8")).toBe("12345678       \n")
      yield* state.write("üüüüüüü") // 14 bytes
      expect(fs.readFileSync(file)).toHaveLength(16)
      expect(fs.readFileSync(file, "utf8")).toBe("üüüüüüü \n")
      yield* close
    }))

  it.scopedLive("reopened, it holds the old record and writes over all of it: the first write after a restart leaves no stale tail", () =>
    Effect.gen(function*() {
      const file = path.join(yield* tempDir, "state.json")
      const first = yield* openOwn(file)
      yield* first.state.write(JSON.stringify({ note: "y".repeat(200) }))
      yield* first.close
      const second = yield* openOwn(file)
      expect(JSON.parse(second.state.held)).toEqual({ note: "y".repeat(200) })
      yield* second.state.write(`{"n":2}`)
      expect(fs.readFileSync(file, "utf8")).toBe(`{"n":2}`.padEnd(255) + "\n")
      yield* second.close
    }))

  it.scopedLive("once its Scope closed, write fails naming the file, sync does nothing, and the descriptor is closed", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = path.join(dir, "state.json")
      const { close, state } = yield* openOwn(file)
      yield* state.write(`{"n":3}`)
      expect(openUnder(dir)).toEqual([file])
      yield* close
      expect(state.isClosed()).toBe(true)
      expect(openUnder(dir)).toEqual([])
      const error = yield* Effect.flip(state.write(`{"n":4}`))
      expect(error._tag).toBe("SourceSupplierError")
      expect(error.message).toContain(`test state ${file} is closed`)
      yield* state.sync
      expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual({ n: 3 })
    }))

  it.scopedLive("a sync in flight when the Scope closes ends without error, and the descriptor is closed after it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = path.join(dir, "state.json")
      const { close, state } = yield* openOwn(file)
      yield* state.write(`{"n":5}`)
      const syncing = yield* Effect.fork(state.sync)
      yield* Effect.yieldNow() // the fdatasync is queued
      yield* close
      yield* Fiber.join(syncing)
      expect(openUnder(dir)).toEqual([])
    }))

  it.scopedLive("a file it cannot open is a coded SourceError naming the operation and the file", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const error = yield* Effect.flip(Effect.scoped(StateFile.open(path.join(dir, "missing", "state.json"), { what: "test state", unit: 64 })))
      expect(error._tag).toBe("SourceUvs")
      expect(error.message).toContain(`open test state ${path.join(dir, "missing", "state.json")}: ENOENT`)
    }))
})
