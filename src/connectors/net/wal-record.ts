/**
 * `WalRecord`: how a group of events is framed in the disk intake's write-ahead log. One record holds
 * the events of one group commit, numbered from `firstSeq`:
 *
 * ```
 * u32 magic "WPI1" | u32 body length | u32 CRC-32 of the body
 * body: u32 firstSeq low | u32 firstSeq high | u32 count | u32 table offset
 *       count x (u32 attribute index | u32 payload length, high bit set for bytes)
 *       the payloads, back to back
 *       table: u32 n, n x (u32 peer length or 0xffffffff | peer | u32 tag count | (u32 len key u32 len value)*)
 * ```
 *
 * (little-endian). The table holds each distinct (peer address, tags) pair of the record once; an
 * event names its pair by index. A record whose magic, length or checksum does not hold — the torn tail
 * a killed process leaves, or a damaged block — is `Corrupt` and never decoded. The payloads are kept
 * apart from the entries so that a batch of text payloads is encoded with one UTF-8 write.
 *
 * @since 0.1.0
 */
import type * as RawData from "../../model/raw.js"
import * as Tags from "../../model/tags.js"
import * as NodeBuiltins from "../../platform/node-builtins.js"

/** "WPI1", read as a little-endian u32. */
const MAGIC = 0x31495057
/** Magic, body length, checksum. */
export const HEADER_BYTES = 12
/** firstSeq (two u32), count, table offset. */
const BODY_FIXED = 16
/** Attribute index, payload length. */
const ENTRY_HEAD = 8
/** The payload-length bit that marks a bytes payload (a text payload is stored as UTF-8). */
const BYTES_FLAG = 0x80000000
const NO_PEER = 0xffffffff
/** No record is this large: a length beyond it is garbage, not a record to wait for. */
export const MAX_RECORD_BYTES = 1 << 30

const crcTable: Uint32Array = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/** CRC-32 (IEEE) in JavaScript, continuing from `value`, for a Node 20 older than 20.15, which has no `zlib.crc32`. */
const crc32Js = (data: Uint8Array, value = 0): number => {
  let c = (value ^ 0xffffffff) >>> 0
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** zlib's CRC-32 when this Node has one (`null`: it has not), looked up on first use (`node:zlib` loads then). */
let nativeCrc32: ((data: Uint8Array, value: number) => number) | null | undefined

/** CRC-32 of `data`, continuing from `value` (the CRC of what precedes it): zlib's (native, GB/s) when this Node has it. */
export const crc32 = (data: Uint8Array, value = 0): number => {
  if (nativeCrc32 === undefined) {
    const zlib = NodeBuiltins.zlib()
    nativeCrc32 = typeof zlib.crc32 === "function" ? (d, v) => zlib.crc32(d, v) : null
  }
  return nativeCrc32 === null ? crc32Js(data, value) : nativeCrc32(data, value)
}

/** The (peer, tags) pair an event of a record carries. */
interface Attributes {
  readonly peer: string | undefined
  readonly tags: Tags.Tags
}

/** The key of a pair's content, for pairs that are equal but not the same objects (e.g. syslog's parsed tags). */
const attributesKey = (peer: string | undefined, tags: Tags.Tags): string => {
  let key = peer === undefined ? "\u0000" : `${peer}\u0000`
  for (let i = 0; i < tags.keys.length; i++) key += `${tags.keys[i]!}\u0001${tags.values[i]!}\u0002`
  return key
}

/** The host stores a `Uint32Array` little-endian, as records are (else entries are swapped when finished). */
const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/** What a record keeps of an event (a `SourceEvent` is one). */
export interface Appended {
  readonly payload: RawData.RawData
  readonly tags: Tags.Tags
  readonly upsIp: string | undefined
}

/** A growable byte buffer, reused from one record to the next. */
class Bytes {
  buffer: Buffer
  length = 0
  constructor(initial: number) {
    this.buffer = Buffer.allocUnsafe(initial)
  }
  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.length + n <= this.buffer.length) return
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + n))
    this.buffer.copy(grown, 0, 0, this.length)
    this.buffer = grown
  }
  /** The bytes written so far. */
  view(): Buffer {
    return this.buffer.subarray(0, this.length)
  }
}

/**
 * Builds one record in buffers it reuses: `begin`, `add` batches of events, `finish` returns the
 * record's pieces (views of the buffers, valid until the next `begin`), to be written with one `writev`.
 */
export class RecordWriter {
  private readonly head = Buffer.alloc(HEADER_BYTES + BODY_FIXED)
  /** Two words per event (attribute index, payload length), in the host's byte order until `finish`. */
  private words: Uint32Array
  private readonly payloads: Bytes
  private attributes: Array<Attributes> = []
  private readonly byContent = new Map<string, number>()
  private lastTags: Tags.Tags | undefined
  private lastPeer: string | undefined
  private lastIndex = -1
  /** The sequence number of the record's first event. */
  firstSeq = 0
  /** Events added since `begin`. */
  count = 0

  constructor(initialBytes = 1 << 20) {
    this.words = new Uint32Array(Math.max(initialBytes >> 5, 16))
    this.payloads = new Bytes(Math.max(initialBytes, 64))
    this.begin(0)
  }

  /** Starts an empty record whose first event is number `firstSeq`. */
  begin(firstSeq: number): void {
    this.firstSeq = firstSeq
    this.count = 0
    this.payloads.length = 0
    if (this.attributes.length > 0) {
      this.attributes = []
      this.byContent.clear()
    }
    this.lastTags = undefined
    this.lastPeer = undefined
    this.lastIndex = -1
  }

  /** Payload bytes added since `begin`. */
  get payloadBytes(): number {
    return this.payloads.length
  }

  /** Bytes the record takes so far (without its attribute table). */
  get size(): number {
    return HEADER_BYTES + BODY_FIXED + this.count * ENTRY_HEAD + this.payloads.length
  }

  private indexOf(peer: string | undefined, tags: Tags.Tags): number {
    if (tags === this.lastTags && peer === this.lastPeer) return this.lastIndex
    const key = attributesKey(peer, tags)
    let index = this.byContent.get(key)
    if (index === undefined) {
      index = this.attributes.length
      this.attributes.push({ peer, tags })
      this.byContent.set(key, index)
    }
    this.lastTags = tags
    this.lastPeer = peer
    this.lastIndex = index
    return index
  }

  /** Appends the events of `batch` in order (their payloads, tags and peers). */
  add(batch: ReadonlyArray<Appended>): void {
    const n = batch.length
    const payloads = this.payloads
    if ((this.count + n) * 2 > this.words.length) {
      const grown = new Uint32Array(Math.max(this.words.length * 2, (this.count + n) * 2))
      grown.set(this.words.subarray(0, this.count * 2))
      this.words = grown
    }
    let allText = true
    let text = ""
    for (const e of batch) {
      if (typeof e.payload !== "string") {
        allText = false
        break
      }
      text += e.payload
    }
    // a batch of text: one UTF-8 write; when it is ASCII (bytes written = characters) each payload's
    // length is its string length, otherwise each is written again on its own
    let ascii = false
    const chars = text.length
    if (allText) {
      payloads.ensure(chars * 3)
      ascii = chars === 0 || payloads.buffer.write(text, payloads.length, "utf8") === chars
    }
    const words = this.words
    let at = this.count * 2
    for (const e of batch) {
      const payload = e.payload
      let length: number
      let word: number
      if (ascii) {
        length = (payload as string).length
        word = length
      } else if (typeof payload === "string") {
        payloads.ensure(payload.length * 3)
        length = payloads.buffer.write(payload, payloads.length, "utf8")
        word = length
      } else {
        length = payload.byteLength
        payloads.ensure(length)
        payloads.buffer.set(payload, payloads.length)
        word = (length | BYTES_FLAG) >>> 0
      }
      if (!ascii) payloads.length += length
      words[at] = this.indexOf(e.upsIp, e.tags)
      words[at + 1] = word
      at += 2
    }
    if (ascii) payloads.length += chars
    this.count += n
  }

  /** Writes the header, the attribute table and the checksum; the record's pieces, in order. */
  finish(): ReadonlyArray<Buffer> {
    let tableBytes = 4
    const encoded: Array<Buffer> = []
    for (const { peer, tags } of this.attributes) {
      const p = peer === undefined ? Buffer.alloc(0) : Buffer.from(peer, "utf8")
      encoded.push(p)
      tableBytes += 8 + p.length
      for (let i = 0; i < tags.keys.length; i++) {
        const k = Buffer.from(tags.keys[i]!, "utf8")
        const v = Buffer.from(tags.values[i]!, "utf8")
        encoded.push(k, v)
        tableBytes += 8 + k.length + v.length
      }
    }
    const table = Buffer.allocUnsafe(tableBytes)
    let at = table.writeUInt32LE(this.attributes.length, 0)
    let part = 0
    for (const { peer, tags } of this.attributes) {
      const p = encoded[part++]!
      at = table.writeUInt32LE(peer === undefined ? NO_PEER : p.length, at)
      at += p.copy(table, at)
      at = table.writeUInt32LE(tags.keys.length, at)
      for (let i = 0; i < tags.keys.length; i++) {
        const k = encoded[part++]!
        const v = encoded[part++]!
        at = table.writeUInt32LE(k.length, at)
        at += k.copy(table, at)
        at = table.writeUInt32LE(v.length, at)
        at += v.copy(table, at)
      }
    }
    const head = this.head
    let entries = Buffer.from(this.words.buffer, this.words.byteOffset, this.count * ENTRY_HEAD)
    if (!littleEndian) entries = Buffer.from(entries).swap32()
    const payloads = this.payloads.view()
    const tableOffset = BODY_FIXED + entries.length + payloads.length
    head.writeUInt32LE(MAGIC, 0)
    head.writeUInt32LE(tableOffset + table.length, 4)
    head.writeUInt32LE(this.firstSeq % 0x100000000, HEADER_BYTES)
    head.writeUInt32LE(Math.floor(this.firstSeq / 0x100000000), HEADER_BYTES + 4)
    head.writeUInt32LE(this.count, HEADER_BYTES + 8)
    head.writeUInt32LE(tableOffset, HEADER_BYTES + 12)
    const crc = crc32(table, crc32(payloads, crc32(entries, crc32(head.subarray(HEADER_BYTES)))))
    head.writeUInt32LE(crc, 8)
    return [head, entries, payloads, table]
  }
}

/** A whole, checked record in a buffer: events `firstSeq` to `firstSeq + count - 1`, `length` bytes from `offset`. */
export interface Record {
  readonly _tag: "Record"
  readonly buffer: Buffer
  readonly offset: number
  readonly length: number
  readonly firstSeq: number
  readonly count: number
}

/** Fewer bytes than the record needs: `need` bytes from its start (just the header's when its length is not known yet). */
export interface Short {
  readonly _tag: "Short"
  readonly need: number
}

/** Bytes that are not a record: a torn write, or damage; `detail` says what did not hold. */
export interface Corrupt {
  readonly _tag: "Corrupt"
  readonly detail: string
}

/** What `read` found at an offset. */
export type Read = Record | Short | Corrupt

const u32 = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0

/** The record at `offset` of `buffer`, which holds bytes up to `end`: checked (magic, length, checksum), not decoded. */
export const read = (buffer: Buffer, offset: number, end: number): Read => {
  if (end - offset < HEADER_BYTES) return { _tag: "Short", need: HEADER_BYTES }
  if (u32(buffer, offset) !== MAGIC) return { _tag: "Corrupt", detail: "no record starts here (bad magic)" }
  const bodyLength = u32(buffer, offset + 4)
  if (bodyLength < BODY_FIXED || bodyLength > MAX_RECORD_BYTES) return { _tag: "Corrupt", detail: `impossible record length ${bodyLength}` }
  const length = HEADER_BYTES + bodyLength
  if (end - offset < length) return { _tag: "Short", need: length }
  const body = offset + HEADER_BYTES
  if (crc32(buffer.subarray(body, body + bodyLength)) !== u32(buffer, offset + 8)) {
    return { _tag: "Corrupt", detail: "checksum mismatch" }
  }
  const firstSeq = u32(buffer, body) + u32(buffer, body + 4) * 0x100000000
  return { _tag: "Record", buffer, offset, length, firstSeq, count: u32(buffer, body + 8) }
}

/** Receives one decoded event: its sequence number, payload, tags and peer address. */
export type EventSink = (seq: number, payload: RawData.RawData, tags: Tags.Tags, peer: string | undefined) => void

/** Thrown (and caught by `decode`) when a checked record's structure does not hold. */
class Malformed extends Error {}

/**
 * Decodes the events of `record` numbered `fromSeq` or later into `sink`, in order; text payloads come
 * back as strings, bytes as a copy. `false` when the record, although its checksum held, is malformed
 * (nothing is delivered then).
 */
export const decode = (record: Record, fromSeq: number, sink: EventSink): boolean => {
  const b = record.buffer
  const body = record.offset + HEADER_BYTES
  const end = record.offset + record.length
  const text = (at: number, n: number): string => {
    if (at + n > end) throw new Malformed()
    return b.toString("utf8", at, at + n)
  }
  try {
    let at = body + u32(b, body + 12)
    if (at + 4 > end) return false
    const n = u32(b, at)
    at += 4
    const table: Array<Attributes> = []
    for (let i = 0; i < n; i++) {
      if (at + 4 > end) return false
      const peerLength = u32(b, at)
      at += 4
      let peer: string | undefined
      if (peerLength !== NO_PEER) {
        peer = text(at, peerLength)
        at += peerLength
      }
      if (at + 4 > end) return false
      const count = u32(b, at)
      at += 4
      const pairs: Array<readonly [string, string]> = []
      for (let t = 0; t < count; t++) {
        if (at + 4 > end) return false
        const kn = u32(b, at)
        const key = text(at + 4, kn)
        at += 4 + kn
        if (at + 4 > end) return false
        const vn = u32(b, at)
        pairs.push([key, text(at + 4, vn)])
        at += 4 + vn
      }
      table.push({ peer, tags: pairs.length === 0 ? Tags.empty : Tags.make(pairs) })
    }
    const tableAt = body + u32(b, body + 12)
    const dataAt = body + BODY_FIXED + record.count * ENTRY_HEAD
    if (dataAt > tableAt) return false
    // check every entry before delivering one: a malformed record delivers nothing
    let start = dataAt
    for (let i = 0, e = body + BODY_FIXED; i < record.count; i++, e += ENTRY_HEAD) {
      if (u32(b, e) >= table.length) return false
      start += (u32(b, e + 4) & ~BYTES_FLAG) >>> 0
      if (start > tableAt) return false
    }
    start = dataAt
    for (let i = 0, e = body + BODY_FIXED; i < record.count; i++, e += ENTRY_HEAD) {
      const attributes = table[u32(b, e)]!
      const word = u32(b, e + 4)
      const length = (word & ~BYTES_FLAG) >>> 0
      const from = start
      start += length
      const seq = record.firstSeq + i
      if (seq < fromSeq) continue
      let payload: RawData.RawData
      if ((word & BYTES_FLAG) !== 0) {
        payload = new Uint8Array(length)
        payload.set(b.subarray(from, from + length))
      } else {
        payload = text(from, length)
      }
      sink(seq, payload, attributes.tags, attributes.peer)
    }
    return true
  } catch (error) {
    if (error instanceof Malformed) return false
    throw error
  }
}
