/**
 * `ReusedRead`: accepted TCP sockets read into one buffer, reused by every read of every socket, instead
 * of a new 64 KiB buffer per read. Node frees a read's buffer only when the collector finds its `Buffer`
 * dead, so at 80 MB/s some 5 MB of them waited in the C heap of a `tcp -> file` run
 * (docs/performance.md, "Footprint").
 *
 * Node offers this as the `onread` option of a socket it connects, not of one a server accepts; `install`
 * sets the same slots on an accepted socket, found by name on a socket made with `onread`. Where this
 * Node has no such slots, `install` says so and the socket is read as usual.
 *
 * Each read is handed over synchronously and the buffer is filled again by the next read, of this socket
 * or another: the reader must copy what it keeps (`FrameDecoder.feed` does).
 *
 * @since 0.2.0
 */
import * as net from "node:net"

/** The socket slots Node's `onread` option sets: the buffer, the callback, the buffer generator. */
interface Slots {
  readonly buffer: symbol
  readonly callback: symbol
  readonly generator: symbol
}

/** The slots, found on a socket made with `onread` (once); `undefined` when this Node has none of that name. */
let found: Slots | undefined | null = null

const slots = (): Slots | undefined => {
  if (found !== null) return found
  // Node reads `onread` in the socket's constructor, though its types give it to `connect` only
  const options: net.SocketConstructorOpts & { readonly onread: net.OnReadOpts } = { onread: { buffer: Buffer.alloc(1), callback: () => true } }
  const probe = new net.Socket(options)
  const own = Object.getOwnPropertySymbols(probe)
  probe.destroy()
  const named = (description: string) => own.find((s) => s.description === description)
  const buffer = named("kBuffer")
  const callback = named("kBufferCb")
  const generator = named("kBufferGen")
  found = buffer !== undefined && callback !== undefined && generator !== undefined ? { buffer, callback, generator } : undefined
  return found
}

/** Bytes of the shared read buffer: what Node reads at once. */
export const bufferBytes = 64 * 1024

/** The buffer every socket is read into (made on the first `install`). */
let shared: Buffer | undefined

/** The part of a socket Node reads through. */
interface ReadHandle {
  readonly reading?: boolean
  readonly useUserBuffer?: (buffer: Uint8Array) => void
}

/** `true` when this Node lets `install` read accepted sockets into the shared buffer. */
export const isAvailable = (): boolean => slots() !== undefined

/**
 * From now on reads `socket` (accepted and not read yet: a server's `pauseOnConnect`) into the shared
 * buffer, handing each read to `onChunk` as a view of it that is valid only during the call. `false` when
 * it cannot (this Node has no `onread` slots, the socket is already read, or it is not a plain TCP
 * socket): the socket then emits `data` as usual. Pausing and resuming the socket work as with `data`.
 */
export const install = (socket: net.Socket, onChunk: (chunk: Buffer) => void): boolean => {
  const s = slots()
  const handle = (socket as unknown as { readonly _handle?: ReadHandle | null })._handle
  if (s === undefined || handle === undefined || handle === null || handle.reading === true || typeof handle.useUserBuffer !== "function") {
    return false
  }
  const buffer = (shared ??= Buffer.allocUnsafeSlow(bufferBytes))
  const slotted = socket as unknown as Record<symbol, unknown>
  slotted[s.buffer] = buffer
  slotted[s.generator] = null
  slotted[s.callback] = (bytes: number, into: Buffer): boolean => {
    onChunk(into.subarray(0, bytes))
    return true
  }
  handle.useUserBuffer(buffer)
  return true
}
