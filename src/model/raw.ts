/**
 * `RawData`: an event's payload, text or bytes. A `Uint8Array` is shared by reference (the zero-copy path).
 *
 * @since 0.1.0
 */
import { Predicate } from "effect"

/** A payload: a string, or bytes shared by reference. */
export type RawData = string | Uint8Array

const encoder = new TextEncoder()
const lossyDecoder = new TextDecoder("utf-8", { fatal: false })
const strictDecoder = new TextDecoder("utf-8", { fatal: true })

/** A text payload. */
export const fromString = (text: string): RawData => text

/** A bytes payload; the array is shared, not copied. */
export const fromBytes = (bytes: Uint8Array): RawData => bytes

/** `true` for a text payload. */
export const isString = (self: RawData): self is string => typeof self === "string"

/** `true` for a bytes payload. */
export const isBytes = (self: RawData): self is Uint8Array => self instanceof Uint8Array

/** `true` when `u` is a `RawData` (a string or a `Uint8Array`). */
export const isRawData = (u: unknown): u is RawData => Predicate.isString(u) || u instanceof Uint8Array

/** The payload's length in bytes (UTF-8 for text). */
export const length = (self: RawData): number =>
  typeof self === "string" ? Buffer.byteLength(self, "utf8") : self.byteLength

/** `true` when the payload has no bytes. */
export const isEmpty = (self: RawData): boolean => (typeof self === "string" ? self.length === 0 : self.byteLength === 0)

/** The payload as bytes: text is encoded as UTF-8, bytes are returned as they are (no copy). */
export const bytes = (self: RawData): Uint8Array => (typeof self === "string" ? encoder.encode(self) : self)

/** The payload as text; bytes that are not UTF-8 become U+FFFD (lossy, like `from_utf8_lossy`). */
export const text = (self: RawData): string => (typeof self === "string" ? self : lossyDecoder.decode(self))

/** The payload as text when it is valid UTF-8, otherwise `undefined`. */
export const textStrict = (self: RawData): string | undefined => {
  if (typeof self === "string") return self
  try {
    return strictDecoder.decode(self)
  } catch {
    return undefined
  }
}

/** Bytes that are valid UTF-8 become a string; anything else stays bytes. */
export const fromBytesPreferText = (bytes: Uint8Array): RawData => textStrict(bytes) ?? bytes
