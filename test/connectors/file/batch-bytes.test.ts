/**
 * The `file` source records the UTF-8 bytes of each batch it hands out (so the engine need not count them):
 * the record must equal the count, for text, multi-byte text, lines cut to `max_line_bytes`, bytes that are
 * not UTF-8, a last line without newline, and raw chunks.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as FileConnector from "../../../src/connectors/file/index.js"
import { DataSource, type ParamMap, RawData, SourceEvent, SourceFactory } from "../../../src/index.js"
import { tempDir } from "./fixtures.js"

/** Every batch of the `file` source over `dir/in.log` with `params`, until it ends. */
const batches = (dir: string, params: ParamMap.ParamMap) =>
  Effect.gen(function*() {
    const svc = yield* FileConnector.FileSource.factory.build(
      { name: "in", kind: "file", connectorId: "file-src", params: { base: dir, file: "in.log", checkpoint: false, ...params }, tags: [] },
      SourceFactory.buildCtx(dir)
    )
    const pull = yield* DataSource.toPull(svc.sources[0]!.source)
    const out: Array<SourceEvent.SourceBatch> = []
    while (true) {
      const next = yield* pull
      if (Option.isNone(next)) return out
      out.push(next.value)
    }
  })

/** The UTF-8 bytes of a batch's payloads, counted one by one. */
const counted = (batch: SourceEvent.SourceBatch) => batch.reduce((n, e) => n + RawData.length(e.payload), 0)

describe("file source batch bytes", () => {
  it.scoped("records exactly the UTF-8 bytes of each batch: text, multi-byte, cut lines, non-UTF-8 bytes, no final newline", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const bytes = Buffer.concat([
        Buffer.from("plain ascii\nhéllo wörld €\n"),
        Buffer.from(`${"é".repeat(20)}\n`), // 40 bytes: cut to max_line_bytes (15) at a character boundary
        Buffer.from([0x66, 0xff, 0xfe, 0x0a]), // not UTF-8: a bytes payload
        Buffer.from(`${"x".repeat(30)}€€\n`), // cut while ASCII, in a chunk that is not
        Buffer.from("last line, no newline ✓")
      ])
      fs.writeFileSync(path.join(dir, "in.log"), bytes)
      for (const params of [{ batch_lines: 2, max_line_bytes: 15 }, { batch_lines: 100, max_line_bytes: 15, read_bytes: 7 }]) {
        const got = yield* batches(dir, params)
        expect(got.flat().length).toBe(6)
        for (const batch of got) expect(SourceEvent.batchBytes(batch)).toBe(counted(batch))
        // the record is what batchBytes returns: a copy of the batch (no record) counts the same
        for (const batch of got) expect(SourceEvent.batchBytes([...batch])).toBe(SourceEvent.batchBytes(batch))
      }
    }))

  it.scoped("raw chunks: their byte length", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      fs.writeFileSync(path.join(dir, "in.log"), Buffer.alloc(100, 0xff))
      const got = yield* batches(dir, { encode: "raw", read_bytes: 30, batch_lines: 2 })
      expect(got.map((b) => SourceEvent.batchBytes(b))).toEqual([60, 40])
    }))
})
