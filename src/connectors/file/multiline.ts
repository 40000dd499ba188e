/**
 * `Multiline`: joins lines of a file into events — a Java stack trace, a Python traceback — between a
 * framer and the source. A line joins the event being built when it does not match `start` (if given)
 * and matches `continue` (if given); every other line begins a new event. An event is complete when a
 * line begins the next one, when it holds `maxLines` lines or would grow past `maxBytes`, or when no
 * line came for `timeoutMs` (`flushIfStale`). Lines are joined with `\n`; the event's span is its lines'
 * spans, so acks and checkpoints cover whole events only.
 *
 * @since 0.1.0
 */
import type * as RawData from "../../model/raw.js"
import type { Emit } from "./framer.js"

/** The rules: either pattern may be absent (not both), the bounds and the timeout. */
export interface Rules {
  readonly start: RegExp | undefined
  readonly continue: RegExp | undefined
  readonly maxLines: number
  readonly maxBytes: number
  readonly timeoutMs: number
}

/** The text a pattern is tested against: the line, or its bytes read as Latin-1 when it is not text. */
const textOf = (payload: RawData.RawData): string =>
  typeof payload === "string" ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("latin1")

/** Joins `parts` with `\n`: text when every part is text, bytes otherwise. */
const join = (parts: ReadonlyArray<RawData.RawData>): RawData.RawData => {
  if (parts.every((p) => typeof p === "string")) return parts.join("\n")
  const chunks: Array<Uint8Array> = []
  parts.forEach((part, i) => {
    if (i > 0) chunks.push(Buffer.of(0x0a))
    chunks.push(typeof part === "string" ? Buffer.from(part, "utf8") : part)
  })
  return new Uint8Array(Buffer.concat(chunks))
}

/** An event being built from lines; `emit` is where complete events go. */
export class Multiline {
  private parts: Array<RawData.RawData> = []
  private bytes = 0
  private start = 0
  private end = 0
  private truncated = false
  /** When the last line of the pending event came (milliseconds of the source's Clock). */
  private lastAt = 0
  /** The time the lines being fed arrived at: set before each `feed` of the framer. */
  now = 0
  /** Takes one line (a framer's `Emit`): it joins the pending event or completes it and begins the next. */
  readonly line: Emit

  constructor(private readonly rules: Rules, private readonly emit: Emit) {
    this.line = (payload, start, end, truncated, bytes) => {
      if (this.parts.length > 0 && !this.joins(payload, bytes)) this.flush()
      if (this.parts.length === 0) this.start = start
      this.parts.push(payload)
      this.bytes += bytes + (this.parts.length > 1 ? 1 : 0)
      this.end = end
      this.truncated = this.truncated || truncated
      this.lastAt = this.now
    }
  }

  /** `true` when lines are held. */
  get pending(): boolean {
    return this.parts.length > 0
  }

  /** `true` when the line (`bytes` long) joins the pending event: the rules say so and the bounds allow it. */
  private joins(payload: RawData.RawData, bytes: number): boolean {
    const { maxBytes, maxLines } = this.rules
    if (this.parts.length >= maxLines || this.bytes + 1 + bytes > maxBytes) return false
    const text = textOf(payload)
    return (this.rules.start === undefined || !this.rules.start.test(text)) &&
      (this.rules.continue === undefined || this.rules.continue.test(text))
  }

  /** Emits the pending event (nothing when none is pending). */
  flush(): void {
    if (this.parts.length === 0) return
    const payload = this.parts.length === 1 ? this.parts[0]! : join(this.parts)
    this.emit(payload, this.start, this.end, this.truncated, this.bytes)
    this.parts = []
    this.bytes = 0
    this.truncated = false
  }

  /** Emits the pending event when no line came for the timeout by `now`; `true` when it did. */
  flushIfStale(now: number): boolean {
    if (this.parts.length === 0 || now - this.lastAt < this.rules.timeoutMs) return false
    this.flush()
    return true
  }

  /** Forgets the pending event (a seek, a truncation: its lines are read again or not at all). */
  reset(): void {
    this.parts = []
    this.bytes = 0
    this.truncated = false
  }
}
