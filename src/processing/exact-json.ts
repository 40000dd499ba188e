/**
 * `ExactJson`: JSON text to JavaScript values, like `JSON.parse`, except that an integer literal beyond
 * ±(2^53 - 1) becomes a `bigint` (so `9007199254740993` stays exact). Text with no run of 16 digits holds
 * no such literal and goes to `JSON.parse` itself; other text is read by a parser here. Both give the same
 * values: objects with the same keys in the same order (a repeated key keeps its first place and its last
 * value), numbers with fractions or exponents as `number`s.
 *
 * @since 0.2.0
 */

/** How deep arrays and objects may nest. */
export const maxDepth = 512

/** A parse that failed: not JSON (`syntax`) or nested too deep (`depth`), and why, with the position when known. */
export class Failure {
  constructor(readonly reason: "syntax" | "depth", readonly detail: string) {}
}

/** `true` for a failed parse (no JSON value is a `Failure`). */
export const isFailure = (u: unknown): u is Failure => u instanceof Failure

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39

/**
 * `true` when `text` has a run of 16 digits: the only way to write an integer beyond 2^53 - 1
 * (9007199254740991 has 16). Such a run covers one of the positions 15, 31, 47, ...: only those are
 * looked at, and the digits around one that is a digit.
 */
const hasLongDigits = (text: string): boolean => {
  const n = text.length
  let i = 15
  while (i < n) {
    if (!isDigit(text.charCodeAt(i))) {
      i += 16
      continue
    }
    let start = i
    while (start > 0 && isDigit(text.charCodeAt(start - 1))) start--
    let end = i + 1
    while (end < n && isDigit(text.charCodeAt(end))) end++
    if (end - start >= 16) return true
    i = end + 16
  }
  return false
}

/** A digit before an exponent mark: a number literal with an exponent. */
const exponent = /[0-9][eE]/

/**
 * `true` when every integer `JSON.parse` reads from `text` is within ±(2^53 - 1): `text` has no run of 16
 * digits and no number with an exponent (the only ways to write a larger one). `JSON.parse` then reads
 * it exactly, and `JSON.stringify` of what it read writes each number as the record would.
 */
export const isSafe = (text: string): boolean => !hasLongDigits(text) && !exponent.test(text)

/** `JSON.parse(text)`, or a `Failure` for text that is not JSON (for text with no integer beyond 2^53: see `isSafe`). */
export const parseNative = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch (cause) {
    return new Failure("syntax", cause instanceof Error ? cause.message : String(cause))
  }
}

/**
 * The value of JSON `text`, with integers beyond ±(2^53 - 1) as bigints; a `Failure` for text that is
 * not JSON. The exact reader also fails on nesting deeper than `maxDepth`; `JSON.parse` does not, so a
 * caller that walks the value checks its depth as it goes.
 */
export const parse = (text: string): unknown => (hasLongDigits(text) ? new Reader(text).document() : parseNative(text))

const numberPattern = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y

/** A recursive-descent reader of one JSON document. */
class Reader {
  private pos = 0
  private error: Failure | undefined

  constructor(private readonly text: string) {}

  /** The document's value, or the first `Failure`. */
  document(): unknown {
    this.space()
    const value = this.value(0)
    if (this.error !== undefined) return this.error
    this.space()
    if (this.pos < this.text.length) this.fail("unexpected text after the JSON value")
    return this.error ?? value
  }

  private fail(detail: string, reason: "syntax" | "depth" = "syntax"): undefined {
    if (this.error === undefined) {
      this.error = new Failure(reason, `${detail} at position ${this.pos}`)
    }
    return undefined
  }

  private space(): void {
    const t = this.text
    let c = t.charCodeAt(this.pos)
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = t.charCodeAt(++this.pos)
  }

  private value(depth: number): unknown {
    const t = this.text
    switch (t.charCodeAt(this.pos)) {
      case 0x7b: // {
        return depth >= maxDepth ? this.fail(`nested deeper than ${maxDepth} levels`, "depth") : this.object(depth + 1)
      case 0x5b: // [
        return depth >= maxDepth ? this.fail(`nested deeper than ${maxDepth} levels`, "depth") : this.array(depth + 1)
      case 0x22: // "
        return this.string()
      case 0x74: // t
        return this.word("true", true)
      case 0x66: // f
        return this.word("false", false)
      case 0x6e: // n
        return this.word("null", null)
      default:
        return this.number()
    }
  }

  private word(word: string, value: boolean | null): unknown {
    if (!this.text.startsWith(word, this.pos)) return this.fail("unexpected token")
    this.pos += word.length
    return value
  }

  private number(): unknown {
    numberPattern.lastIndex = this.pos
    const m = numberPattern.exec(this.text)
    if (m === null) return this.fail(this.pos >= this.text.length ? "unexpected end of JSON input" : "unexpected token")
    const literal = m[0]
    this.pos += literal.length
    const n = Number(literal)
    return m[1] !== undefined || m[2] !== undefined || Number.isSafeInteger(n) ? n : BigInt(literal)
  }

  private string(): unknown {
    const t = this.text
    const start = ++this.pos
    let i = start
    let c = t.charCodeAt(i)
    while (c !== 0x22 && c !== 0x5c && c >= 0x20) c = t.charCodeAt(++i)
    if (c === 0x22) {
      this.pos = i + 1
      return t.slice(start, i)
    }
    let out = t.slice(start, i)
    for (;;) {
      if (i >= t.length) {
        this.pos = i
        return this.fail("unterminated string")
      }
      c = t.charCodeAt(i)
      if (c === 0x22) break
      if (c < 0x20) {
        this.pos = i
        return this.fail("control character in string")
      }
      if (c !== 0x5c) {
        out += t[i]
        i++
        continue
      }
      const e = t[i + 1]
      switch (e) {
        case "\"":
        case "\\":
        case "/":
          out += e
          break
        case "b":
          out += "\b"
          break
        case "f":
          out += "\f"
          break
        case "n":
          out += "\n"
          break
        case "r":
          out += "\r"
          break
        case "t":
          out += "\t"
          break
        case "u": {
          const hex = t.slice(i + 2, i + 6)
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.pos = i
            return this.fail("bad \\u escape in string")
          }
          out += String.fromCharCode(parseInt(hex, 16))
          i += 4
          break
        }
        default:
          this.pos = i
          return this.fail("bad escape in string")
      }
      i += 2
    }
    this.pos = i + 1
    return out
  }

  private array(depth: number): unknown {
    this.pos++
    const out: Array<unknown> = []
    this.space()
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++
      return out
    }
    for (;;) {
      this.space()
      const item = this.value(depth)
      if (this.error !== undefined) return undefined
      out.push(item)
      this.space()
      const c = this.text.charCodeAt(this.pos++)
      if (c === 0x5d) return out
      if (c !== 0x2c) {
        this.pos--
        return this.fail("expected , or ] in array")
      }
    }
  }

  private object(depth: number): unknown {
    this.pos++
    const out: { [key: string]: unknown } = Object.create(null) as { [key: string]: unknown }
    this.space()
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++
      return out
    }
    for (;;) {
      this.space()
      if (this.text.charCodeAt(this.pos) !== 0x22) return this.fail("expected a string key in object")
      const key = this.string() as string
      if (this.error !== undefined) return undefined
      this.space()
      if (this.text.charCodeAt(this.pos) !== 0x3a) return this.fail("expected : after key in object")
      this.pos++
      this.space()
      const item = this.value(depth)
      if (this.error !== undefined) return undefined
      out[key] = item
      this.space()
      const c = this.text.charCodeAt(this.pos++)
      if (c === 0x7d) return out
      if (c !== 0x2c) {
        this.pos--
        return this.fail("expected , or } in object")
      }
    }
  }
}
