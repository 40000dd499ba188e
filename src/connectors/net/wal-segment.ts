/**
 * `WalSegment`: one file of the disk intake's write-ahead log. A segment holds whole records
 * (`WalRecord`) back to back and is named after the sequence number of its first event
 * (`00000000000000004096.wal`), so the files sort in log order. `list` finds them, `recover` checks
 * the last one after a restart and cuts a torn tail off it.
 *
 * @since 0.1.0
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect } from "effect"
import type { SourceError } from "../../errors/source.js"
import * as FsReason from "../file/fs-reason.js"
import * as WalRecord from "./wal-record.js"

/** A segment of the log, as the intake tracks it. */
export interface Segment {
  /** The sequence number of its first event. */
  readonly firstSeq: number
  /** Its path. */
  readonly file: string
  /** Bytes written to it, or reserved by the write in flight. */
  size: number
  /** Bytes of it known to be on disk (synced, or recovered): readers stop there. */
  durable: number
  /** The descriptor appends go through while it is the segment being written (or still being synced). */
  writeFd: number | undefined
  /** The descriptor a reader of it holds (none while nobody reads it). */
  readFd: number | undefined
}

const NAME = /^(\d{20})\.wal$/

/** The file name of the segment whose first event is `firstSeq`. */
export const fileName = (firstSeq: number): string => `${String(firstSeq).padStart(20, "0")}.wal`

/** A segment found on disk, not open. */
export const found = (dir: string, firstSeq: number, size: number): Segment => ({
  firstSeq,
  file: path.join(dir, fileName(firstSeq)),
  size,
  durable: size,
  writeFd: undefined,
  readFd: undefined
})

/** The segments in `dir`, in log order (files that are not segments are left alone). */
export const list = (dir: string): Effect.Effect<Array<Segment>, SourceError> =>
  Effect.try({
    try: () => {
      const out: Array<Segment> = []
      for (const name of fs.readdirSync(dir)) {
        const match = NAME.exec(name)
        if (match === null) continue
        const firstSeq = Number(match[1])
        if (!Number.isSafeInteger(firstSeq)) continue
        out.push(found(dir, firstSeq, fs.statSync(path.join(dir, name)).size))
      }
      return out.sort((a, b) => a.firstSeq - b.firstSeq)
    },
    catch: FsReason.sourceError("list intake segments in", dir)
  })

/** What `recover` found in a segment: its whole records' end, the number after their last event, and what it cut. */
export interface Recovered {
  /** Bytes of whole, checked records from the start. */
  readonly validBytes: number
  /** The sequence number after the last event of those records (`firstSeq` when there is none). */
  readonly endSeq: number
  /** Records kept. */
  readonly records: number
  /** Bytes cut off the tail (a torn or damaged last write), 0 when the segment was whole. */
  readonly cutBytes: number
  /** Why the tail was cut, when it was. */
  readonly cutReason: string | undefined
}

/**
 * Reads `segment` record by record and truncates it after its last whole, checked record: what follows
 * (a record torn by a kill, or damage) is never replayed. Synchronous reads: this runs once, at start.
 */
export const recover = (segment: Segment): Effect.Effect<Recovered, SourceError> =>
  Effect.try({
    try: () => {
      const fd = fs.openSync(segment.file, "r+")
      try {
        const size = fs.fstatSync(fd).size
        let buffer = Buffer.allocUnsafe(Math.min(Math.max(size, WalRecord.HEADER_BYTES), 1 << 20))
        /** File offset of `buffer[0]`, and bytes of the file held in it. */
        let base = 0
        let held = 0
        let at = 0
        let endSeq = segment.firstSeq
        let records = 0
        let cutReason: string | undefined
        while (base + at < size) {
          const found = WalRecord.read(buffer, at, held)
          if (found._tag === "Record") {
            at += found.length
            endSeq = found.firstSeq + found.count
            records++
            continue
          }
          if (found._tag === "Corrupt") {
            cutReason = found.detail
            break
          }
          if (base + at + found.need > size) {
            cutReason = "torn record at the end"
            break
          }
          // refill: keep the record begun at `at`, read what follows
          if (found.need > buffer.length) buffer = Buffer.allocUnsafe(found.need)
          base += at
          held = fs.readSync(fd, buffer, 0, Math.min(buffer.length, size - base), base)
          at = 0
        }
        const validBytes = base + at
        if (validBytes < size) {
          fs.ftruncateSync(fd, validBytes)
          fs.fdatasyncSync(fd)
        }
        segment.size = validBytes
        segment.durable = validBytes
        return { validBytes, endSeq, records, cutBytes: size - validBytes, cutReason }
      } finally {
        fs.closeSync(fd)
      }
    },
    catch: FsReason.sourceError("recover intake segment", segment.file)
  })
