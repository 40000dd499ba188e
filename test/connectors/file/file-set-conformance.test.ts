import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Effect } from "effect"
import * as File from "../../../src/connectors/file/index.js"
import { withTempWorkRoot } from "../../../src/testkit/index.js"
import { sourceConformance } from "../../../src/testkit/vitest.js"

const payloads = ["alpha", "beta 2", "γάμμα ünïcödé", "delta {\"json\":true}", "epsilon"]

// the multi-file source (a glob matching one file of its directory) passes the conformance suite the single-file one does
sourceConformance("file (glob)", {
  factory: File.FileSource.factory,
  spec: Effect.gen(function*() {
    const base = yield* withTempWorkRoot
    yield* Effect.promise(() => fs.writeFile(path.join(base, "in.log"), payloads.map((p) => `${p}\n`).join("")))
    return {
      spec: {
        name: "logs",
        kind: "file",
        connectorId: "file-src",
        params: { base, file: "*.log", batch_lines: 2, follow: true, poll_ms: 20 },
        tags: []
      }
    }
  }),
  append: ({ payloads, spec }) =>
    Effect.promise(() => fs.appendFile(path.join(String(spec.params["base"]), "in.log"), payloads.map((p) => `${String(p)}\n`).join(""))),
  expect: { payloads },
  claims: { ack: true, seek: true, parallel: false },
  invalid: [
    { spec: { name: "logs", kind: "file", connectorId: "file-src", params: { base: "/tmp", file: "*.log", exclude: [""] }, tags: [] }, code: 300, mentions: "params.exclude" },
    { spec: { name: "logs", kind: "file", connectorId: "file-src", params: { base: "/tmp", file: "*.log", encoding: "ebcdic" }, tags: [] }, code: 300, mentions: "params.encoding" },
    { spec: { name: "logs", kind: "file", connectorId: "file-src", params: { base: "/tmp", file: "*.log", multiline_start: "(" }, tags: [] }, code: 300, mentions: "params.multiline_start" }
  ]
})
