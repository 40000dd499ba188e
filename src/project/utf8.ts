/**
 * `Utf8`: checking that a file's bytes are UTF-8 before they are read as text (a lenient decoder
 * would turn each bad byte into U+FFFD and the file would be accepted with text it never held).
 *
 * @since 0.1.0
 */
import { isUtf8 } from "node:buffer"

/**
 * The offset of the first byte of `bytes` that does not start or continue a well-formed UTF-8 sequence
 * (overlong forms, UTF-16 surrogates, code points over U+10FFFF and truncated sequences included);
 * `undefined` when all of it is UTF-8.
 */
export const firstInvalidByte = (bytes: Uint8Array): number | undefined => {
  if (isUtf8(bytes)) return undefined
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]!
    if (b < 0x80) {
      i += 1
      continue
    }
    // the length of the sequence b starts, and the range its second byte must be in (Unicode table 3-7)
    let more: number
    let low = 0x80
    let high = 0xbf
    if (b >= 0xc2 && b <= 0xdf) more = 1
    else if (b === 0xe0) [more, low] = [2, 0xa0]
    else if (b === 0xed) [more, high] = [2, 0x9f]
    else if (b >= 0xe1 && b <= 0xef) more = 2
    else if (b === 0xf0) [more, low] = [3, 0x90]
    else if (b === 0xf4) [more, high] = [3, 0x8f]
    else if (b >= 0xf1 && b <= 0xf3) more = 3
    else return i
    for (let k = 1; k <= more; k++) {
      const c = bytes[i + k]
      if (c === undefined || c < (k === 1 ? low : 0x80) || c > (k === 1 ? high : 0xbf)) return i
    }
    i += more + 1
  }
  return undefined
}

/** The 1-based line of the byte at `offset` (lines end at `\n`). */
export const lineAt = (bytes: Uint8Array, offset: number): number => {
  let line = 1
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line += 1
  return line
}
