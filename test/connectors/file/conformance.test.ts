import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Effect, Option } from "effect"
import * as File from "../../../src/connectors/file/index.js"
import * as RecordFormat from "../../../src/connectors/file/record-format.js"
import { withTempWorkRoot } from "../../../src/testkit/index.js"
import { sinkConformance, sourceConformance } from "../../../src/testkit/vitest.js"
import { smallDisk } from "./small-disk.js"

const payloads = ["alpha", "beta 2", "γάμμα ünïcödé", "delta {\"json\":true}", "epsilon"]

/** The file a source or sink spec names. */
const fileOf = (params: { readonly [key: string]: unknown }) => File.filePath({ base: String(params["base"]), file: String(params["file"]) })

sourceConformance("file", {
  factory: File.FileSource.factory,
  // a real file in its own temp dir, written before each build; read 2 lines per batch (so that a seek
  // mid-stream has read-ahead to drop), following appends
  spec: Effect.gen(function*() {
    const base = yield* withTempWorkRoot
    yield* Effect.promise(() => fs.writeFile(File.filePath({ base, file: "in.log" }), payloads.map((p) => `${p}\n`).join("")))
    return {
      spec: { name: "logs", kind: "file", connectorId: "file-src", params: { base, file: "in.log", batch_lines: 2, follow: true, poll_ms: 20 }, tags: [] }
    }
  }),
  append: ({ payloads, spec }) => Effect.promise(() => fs.appendFile(fileOf(spec.params), payloads.map((p) => `${String(p)}\n`).join(""))),
  expect: { payloads },
  claims: { ack: true, seek: true, parallel: false },
  invalid: [
    { spec: { name: "logs", kind: "file", connectorId: "file-src", params: { base: "", file: "in.log" }, tags: [] }, code: 300, mentions: "params.base" },
    { spec: { name: "logs", kind: "file", connectorId: "file-src", params: { base: "/tmp", file: "in.log", encode: "xml" }, tags: [] }, code: 300, mentions: "params.encode" }
  ]
})

const utf8 = new TextDecoder("utf-8", { fatal: true })

/** A line as text when it is valid UTF-8, else as its bytes. */
const lineOf = (bytes: Uint8Array): string | Uint8Array => {
  try {
    return utf8.decode(bytes)
  } catch {
    return bytes
  }
}

/** The lines of the sink's output file, byte-exact (none before it exists). */
const readLines = (file: string) =>
  Effect.map(
    Effect.tryPromise(() => fs.readFile(file).catch((e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? Buffer.alloc(0) : Promise.reject(e)))),
    (buf) => {
      const lines: Array<string | Uint8Array> = []
      let from = 0
      for (let i = buf.indexOf(10); i >= 0; from = i + 1, i = buf.indexOf(10, from)) lines.push(lineOf(Uint8Array.from(buf.subarray(from, i))))
      return lines
    }
  )

sinkConformance("file", {
  factory: File.FileSink.factory,
  // a real output file in a directory of its own on a small disk of its own (a tmpfs: the tests run as
  // root), so that the target can be broken for real (default `fmt = "raw"`: records come back as their raw lines)
  spec: Effect.map(smallDisk(4 * 1024 * 1024), (disk) => {
    const base = path.join(disk.dir, "out")
    return {
      spec: { group: "g", name: "out", kind: "file", connectorId: "file-sink", params: { base, file: "out.log" }, filter: Option.none() },
      read: () => readLines(File.filePath({ base, file: "out.log" })),
      breakTarget: [
        { name: "disk full", run: () => disk.fill() },
        {
          name: "its directory replaced by a regular file",
          run: () =>
            Effect.promise(async () => {
              await fs.rm(base, { recursive: true })
              await fs.writeFile(base, "not a directory\n")
            })
        }
      ]
    }
  }),
  encodeRecord: RecordFormat.raw,
  invalid: [
    { spec: { group: "g", name: "out", kind: "file", connectorId: "file-sink", params: { base: "", file: "out.log" }, filter: Option.none() }, code: 300, mentions: "params.base" },
    { spec: { group: "g", name: "out", kind: "file", connectorId: "file-sink", params: { base: "/tmp", file: "out.log", fmt: "xml" }, filter: Option.none() }, code: 300, mentions: "params.fmt" }
  ]
})
