/**
 * The baselines' hand-written line pipe: split incoming buffers on `\n` and write the lines to a
 * write stream, pausing the producer while the stream drains.
 */
import type * as fs from "node:fs"

/** A handler for `data` chunks that copies whole lines to `writer`; `count()` says how many. */
export const lineCopier = (writer: fs.WriteStream, pause: () => void, resume: () => void) => {
  let rest: Buffer = Buffer.alloc(0)
  let lines = 0
  return {
    onData: (data: Buffer): void => {
      const chunk = rest.length > 0 ? Buffer.concat([rest, data]) : data
      let start = 0
      const parts: Array<string> = []
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, start)) {
        parts.push(chunk.toString("utf8", start, i))
        start = i + 1
      }
      lines += parts.length
      rest = chunk.subarray(start)
      if (!writer.write(parts.join("\n") + "\n")) {
        pause()
        writer.once("drain", resume)
      }
    },
    count: (): number => lines
  }
}
