import { describe, expect, it } from "@effect/vitest"
import * as WalRecord from "../../../src/connectors/net/wal-record.js"
import { type RawData, Tags } from "../../../src/index.js"

const a = Tags.make({ app: "web" })
const b = Tags.make({ app: "web", truncated: "true" })
const ev = (payload: RawData.RawData, tags: Tags.Tags = a, upsIp = "10.0.0.1"): WalRecord.Appended => ({ payload, tags, upsIp })
const noPeer = (payload: RawData.RawData, tags: Tags.Tags): WalRecord.Appended => ({ payload, tags, upsIp: undefined })

/** One record of `batches` numbered from `firstSeq`, as the bytes written to the log. */
const record = (firstSeq: number, ...batches: ReadonlyArray<ReadonlyArray<WalRecord.Appended>>): Buffer => {
  const writer = new WalRecord.RecordWriter(64)
  writer.begin(firstSeq)
  for (const batch of batches) writer.add(batch)
  return Buffer.concat(writer.finish())
}

const decodeAll = (bytes: Buffer, fromSeq = 0) => {
  const found = WalRecord.read(bytes, 0, bytes.length)
  if (found._tag !== "Record") throw new Error(`not a record: ${found._tag}`)
  const out: Array<{ seq: number; payload: RawData.RawData; tags: Record<string, string>; peer: string | undefined }> = []
  const ok = WalRecord.decode(found, fromSeq, (seq, payload, tags, peer) => out.push({ seq, payload, tags: Tags.toRecord(tags), peer }))
  return { ok, out, found }
}

describe("WalRecord", () => {
  it("round-trips text (ASCII or not), bytes, empty payloads, tags and peers, numbered from firstSeq", () => {
    const bytes = new Uint8Array([0, 0xff, 0x0a])
    const written = record(
      2 ** 40,
      [ev("plain"), ev("")],
      [ev("ünï ✓", b), noPeer("x", b)],
      [ev(bytes), ev("after bytes", a, "10.0.0.2")]
    )
    const { found, ok, out } = decodeAll(written)
    expect(ok).toBe(true)
    expect(found.length).toBe(written.length)
    expect(found.count).toBe(6)
    expect(out.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5].map((i) => 2 ** 40 + i))
    expect(out.map((e) => e.payload)).toEqual(["plain", "", "ünï ✓", "x", bytes, "after bytes"])
    expect(out.map((e) => e.peer)).toEqual(["10.0.0.1", "10.0.0.1", "10.0.0.1", undefined, "10.0.0.1", "10.0.0.2"])
    expect(out.map((e) => e.tags.truncated)).toEqual([undefined, undefined, "true", "true", undefined, undefined])
    // a copy, not a view of the record's buffer
    expect(out[4]!.payload).not.toBe(bytes)
    expect((out[4]!.payload as Uint8Array).buffer).not.toBe(written.buffer)
    expect(decodeAll(written, 2 ** 40 + 4).out.map((e) => e.payload)).toEqual([bytes, "after bytes"])
  })

  it("finds a short record (more to read) and refuses damage: bad magic, impossible length, checksum", () => {
    const written = record(0, [ev("one"), ev("two")])
    expect(WalRecord.read(written, 0, 5)).toEqual({ _tag: "Short", need: WalRecord.HEADER_BYTES })
    expect(WalRecord.read(written, 0, written.length - 1)).toEqual({ _tag: "Short", need: written.length })
    const garbage = Buffer.from(written)
    garbage[0] = 0x58
    expect(WalRecord.read(garbage, 0, garbage.length)._tag).toBe("Corrupt")
    const long = Buffer.from(written)
    long.writeUInt32LE(WalRecord.MAX_RECORD_BYTES + 1, 4)
    expect(WalRecord.read(long, 0, long.length)).toMatchObject({ _tag: "Corrupt", detail: expect.stringContaining("length") })
    for (let at = WalRecord.HEADER_BYTES; at < written.length; at++) {
      const flipped = Buffer.from(written)
      flipped[at] = flipped[at]! ^ 0x01
      expect(WalRecord.read(flipped, 0, flipped.length), `byte ${at}`).toEqual({ _tag: "Corrupt", detail: "checksum mismatch" })
    }
  })

  it("delivers nothing of a record whose checksum holds but whose structure does not", () => {
    const written = record(0, [ev("one"), ev("two")])
    const body = WalRecord.HEADER_BYTES
    const broken = Buffer.from(written)
    broken.writeUInt32LE(broken.readUInt32LE(body + 8) + 5, body + 8) // claims more events than it holds
    broken.writeUInt32LE(WalRecord.crc32(broken.subarray(body)), 8)
    const { ok, out } = decodeAll(broken)
    expect(ok).toBe(false)
    expect(out).toEqual([])
  })
})
