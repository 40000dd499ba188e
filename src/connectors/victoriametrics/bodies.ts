/**
 * Push bodies: lines gathered into request bodies of at most `maxPushChars` characters each, in order,
 * `\n` after each line. Lines are appended to one string as they come (no array of lines to join), and
 * each body is encoded to bytes as soon as it is full.
 *
 * @since 0.2.0
 */

/** The most characters of lines one push holds (at most 3 bytes each: below VictoriaMetrics' 32 MB request limit); a larger write is pushed in parts. */
export const maxPushChars = 8 * 1024 * 1024

/** One request body and how many lines (samples) it holds. */
export interface Body {
  readonly body: Buffer
  readonly samples: number
}

/** A body builder: `add` lines, then `done` once. */
export interface Bodies {
  readonly add: (line: string) => void
  /** Adds the lines of `text` (one or more lines, joined by `\n`) as they are, in one piece. */
  readonly addLines: (text: string) => void
  /** The bodies, in order (none when no line was added). */
  readonly done: () => ReadonlyArray<Body>
}

/** A builder of bodies of at most `maxChars` characters (a line alone may be longer). */
export const make = (maxChars: number = maxPushChars): Bodies => {
  const out: Array<Body> = []
  let text = ""
  let lines = 0
  const close = () => {
    out.push({ body: Buffer.from(text, "utf8"), samples: lines })
    text = ""
    lines = 0
  }
  return {
    add: (line) => {
      if (lines > 0 && text.length + line.length + 1 > maxChars) close()
      text += line
      text += "\n"
      lines += 1
    },
    addLines: (more) => {
      if (lines > 0 && text.length + more.length + 1 > maxChars) close()
      text += more
      text += "\n"
      for (let i = more.indexOf("\n"); i >= 0; i = more.indexOf("\n", i + 1)) lines += 1
      lines += 1
    },
    done: () => {
      if (lines > 0) close()
      return out
    }
  }
}

const newline = Buffer.from("\n")

/**
 * The bodies of chunks of lines already in bytes (each one or more lines joined by `\n`): the chunks in
 * order, `\n` after each, at most `maxBytes` bytes a body (a chunk alone may be larger); samples counted
 * by lines.
 */
export const ofChunks = (chunks: ReadonlyArray<Uint8Array>, maxBytes: number = maxPushChars): ReadonlyArray<Body> => {
  const out: Array<Body> = []
  let parts: Array<Uint8Array> = []
  let size = 0
  let samples = 0
  const close = () => {
    out.push({ body: Buffer.concat(parts, size), samples })
    parts = []
    size = 0
    samples = 0
  }
  for (const chunk of chunks) {
    if (chunk.length === 0) continue
    if (samples > 0 && size + chunk.length + 1 > maxBytes) close()
    parts.push(chunk, newline)
    size += chunk.length + 1
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) samples += 1
    samples += 1
  }
  if (samples > 0) close()
  return out
}
