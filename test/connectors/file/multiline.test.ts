import * as fs from "node:fs/promises"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope, TestClock } from "effect"
import { Multiline } from "../../../src/connectors/file/multiline.js"
import type * as RawData from "../../../src/model/raw.js"
import { build, drain, savedOffsets, textOf } from "./file-set-fixtures.js"
import { tempDir } from "./fixtures.js"

const fixture = path.join(import.meta.dirname, "data", "stacktraces.log")
const fixtureLines = async () => (await fs.readFile(fixture, "utf8")).replace(/\n$/, "").split("\n")
const timestamped = "^\\d{4}-\\d{2}-\\d{2} "

/** The fixture cut into events by hand: a timestamped line and every line up to the next one. */
const byHand = async (): Promise<Array<string>> => {
  const events: Array<Array<string>> = []
  for (const line of await fixtureLines()) {
    if (/^\d{4}-\d{2}-\d{2} /.test(line) || events.length === 0) events.push([line])
    else events[events.length - 1]!.push(line)
  }
  return events.map((e) => e.join("\n"))
}

describe("file source, multiline events", () => {
  it.scopedLive("a Java stack trace (with its Caused by) and a Python traceback are one event each", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* Effect.promise(() => fs.copyFile(fixture, path.join(dir, "app.log")))
      const source = yield* build(dir, { file: "app.log", multiline_start: timestamped })
      const events = yield* drain(source, () => false)
      const expected = yield* Effect.promise(byHand)
      expect(events.map(textOf)).toEqual(expected)
      expect(events).toHaveLength(6)
      expect(textOf(events[1]!)).toMatch(/^2026-11-28 12:00:01.114 ERROR [^\n]*\njava.lang.NullPointerException[^]*\n\t\.\.\. 48 common frames omitted$/)
      expect(textOf(events[4]!).split("\n")).toHaveLength(14)
      expect(textOf(events[4]!)).toContain("\n\nDuring handling of the above exception, another exception occurred:\n\nTraceback")
    }))

  it.scopedLive("with a continuation pattern only: indented, `Caused by:` and `...` lines join the line before", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const java = (yield* Effect.promise(fixtureLines)).slice(11, 25)
      yield* Effect.promise(() => fs.writeFile(path.join(dir, "app.log"), java.map((l) => `${l}\n`).join("")))
      const source = yield* build(dir, { file: "app.log", multiline_continue: "^(\\s|Caused by:)" })
      const events = yield* drain(source, () => false)
      // the message line, then its exception with every frame and cause
      expect(events.map(textOf)).toEqual([java[0], java.slice(1).join("\n")])
    }))

  it.scopedLive("an event is cut at multiline_max_lines and at multiline_max_bytes", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const lines = ["START 1", "  a", "  b", "  c", "  d", "START 2", "  0123456789", "  0123456789", "  0123456789"]
      yield* Effect.promise(() => fs.writeFile(path.join(dir, "app.log"), lines.map((l) => `${l}\n`).join("")))
      const source = yield* build(dir, { file: "app.log", multiline_start: "^START", multiline_max_lines: 3, multiline_max_bytes: 30 })
      const events = yield* drain(source, () => false)
      expect(events.map(textOf)).toEqual([
        "START 1\n  a\n  b",
        "  c\n  d",
        "START 2\n  0123456789",
        "  0123456789\n  0123456789"
      ])
    }))

  it.scoped("an unfinished event is emitted after multiline_timeout_ms without a new line (TestClock)", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const file = path.join(dir, "app.log")
      yield* Effect.promise(() => fs.writeFile(file, "2026-11-28 12:00:00 ERROR boom\n\tat a.B(B.java:1)\n"))
      const source = yield* build(dir, { file: "app.log", follow: true, poll_ms: 10, multiline_start: timestamped, multiline_timeout_ms: 1000 })
      expect(yield* source.receive).toEqual([])
      yield* TestClock.adjust("999 millis")
      expect(yield* source.receive).toEqual([])
      // a line joins it: the timeout counts from the last line
      yield* Effect.promise(() => fs.appendFile(file, "\tat c.D(D.java:2)\n"))
      yield* TestClock.adjust("20 millis")
      expect(yield* source.receive).toEqual([])
      yield* TestClock.adjust("999 millis")
      expect(yield* source.receive).toEqual([])
      yield* TestClock.adjust("1 millis")
      const batch = yield* source.receive
      expect(batch.map(textOf)).toEqual(["2026-11-28 12:00:00 ERROR boom\n\tat a.B(B.java:1)\n\tat c.D(D.java:2)"])
    }))

  it.scopedLive("acks and checkpoints cover whole events: a restart reads an unacked event whole, never its tail", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* Effect.promise(() => fs.copyFile(fixture, path.join(dir, "app.log")))
      const params = { file: "app.log", multiline_start: timestamped, batch_lines: 2 }
      const expected = yield* Effect.promise(byHand)
      const scope = yield* Scope.make()
      const first = yield* Scope.extend(build(dir, params), scope)
      const batch = yield* first.receive
      expect(batch.map(textOf)).toEqual(expected.slice(0, 2))
      yield* first.ackBatch([batch[0]!.ackToken])
      yield* Scope.close(scope, Exit.void)
      expect(yield* savedOffsets(dir)).toEqual({ "app.log": Buffer.byteLength(`${expected[0]}\n`) })
      const second = yield* build(dir, params)
      expect((yield* drain(second, () => false)).map(textOf)).toEqual(expected.slice(1))
    }))
})

describe("Multiline", () => {
  const run = (rules: Partial<ConstructorParameters<typeof Multiline>[0]>, lines: ReadonlyArray<RawData.RawData>) => {
    const out: Array<[RawData.RawData, number, boolean, number]> = []
    const m = new Multiline(
      { start: undefined, continue: undefined, maxLines: 100, maxBytes: 1000, timeoutMs: 1000, ...rules },
      (payload, _start, end, truncated, bytes) => out.push([payload, end, truncated, bytes])
    )
    let at = 0
    for (const line of lines) {
      const bytes = typeof line === "string" ? Buffer.byteLength(line) : line.byteLength
      m.line(line, at, at + bytes + 1, false, bytes)
      at += bytes + 1
    }
    m.flush()
    return out
  }

  it("with both patterns a line joins when it matches continue and not start; its span and bytes are its lines'", () => {
    expect(run({ start: /^S/, continue: /^ /u }, ["S a", " b", "x", " c", "S d"])).toEqual([
      ["S a\n b", 7, false, 6],
      ["x\n c", 12, false, 4],
      ["S d", 16, false, 3]
    ])
  })

  it("joins a line that is not text as bytes", () => {
    const bad = Uint8Array.of(0xff, 0x41)
    const [event] = run({ start: /^S/ }, ["S a", bad])
    expect(event![0]).toEqual(new Uint8Array([0x53, 0x20, 0x61, 0x0a, 0xff, 0x41]))
  })
})
