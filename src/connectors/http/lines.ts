/**
 * Splitting a request body into event payloads: one per non-blank line (`\n` or `\r\n`), checked as
 * UTF-8 and, for `ndjson`, as JSON; a bad line refuses the whole body, naming its line number.
 *
 * @since 0.1.0
 */
import { Either } from "effect"
import { badRequest, type HttpRejection } from "./reply.js"

/** How a body's lines are read: `text` (each UTF-8 line as it is) or `ndjson` (each line one JSON value). */
export type Format = "text" | "ndjson"

const LF = 0x0a
const strict = new TextDecoder("utf-8", { fatal: true })

const isBlank = (line: string): boolean => line.trim().length === 0

const stripCr = (line: string): string => (line.endsWith("\r") ? line.slice(0, -1) : line)

/** The number (1-based) of the first line of `body` that is not valid UTF-8. */
const firstInvalidLine = (body: Uint8Array): number => {
  let start = 0
  let line = 1
  while (start <= body.length) {
    const at = body.indexOf(LF, start)
    const end = at === -1 ? body.length : at
    try {
      strict.decode(body.subarray(start, end))
    } catch {
      return line
    }
    if (at === -1) break
    start = at + 1
    line++
  }
  return line
}

/** The payloads of `body` in order, or a `400` rejection naming the first bad line. */
export const split = (body: Uint8Array, format: Format): Either.Either<ReadonlyArray<string>, HttpRejection> => {
  let text: string
  try {
    text = strict.decode(body)
  } catch {
    return Either.left(badRequest(`line ${firstInvalidLine(body)} is not valid UTF-8`))
  }
  const lines = text.split("\n")
  const out: Array<string> = []
  for (let i = 0; i < lines.length; i++) {
    const line = stripCr(lines[i]!)
    if (isBlank(line)) continue
    if (format === "ndjson") {
      try {
        JSON.parse(line)
      } catch (e) {
        return Either.left(badRequest(`line ${i + 1} is not JSON: ${e instanceof Error ? e.message : String(e)}`))
      }
    }
    out.push(line)
  }
  return Either.right(out)
}
