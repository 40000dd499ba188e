/**
 * A process that reads a `file` source and copies it to an output file, at least once: for each batch it
 * appends the lines to the output (write + fsync), waits `delay` ms (a window for the kill: written, not yet
 * acked), then acks the batch. The kill/restart test SIGKILLs it.
 *
 * Usage: node --import tsx kill-reader.ts <input file> <output file> <work root> <batch lines> <delay ms>
 * (the test runs its transpiled copy, kill-reader.js, with plain node).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect, Option } from "effect"
import * as FileConnector from "../../../src/connectors/file/index.js"
import { ConnectorRegistry, RawData, SourceFactory } from "../../../src/index.js"

const [input = "", output = "", workRoot = "", batch = "100", delay = "0"] = process.argv.slice(2)

const program = Effect.gen(function*() {
  const factory = yield* (yield* ConnectorRegistry.ConnectorRegistry).sourceFactory("file")
  const svc = yield* factory.build(
    {
      name: "reader",
      kind: "file",
      connectorId: "file-src",
      params: { base: path.dirname(input), file: path.basename(input), batch_lines: Number(batch) },
      tags: []
    },
    SourceFactory.buildCtx(workRoot)
  )
  const source = svc.sources[0]!.source
  const out = yield* Effect.acquireRelease(
    Effect.sync(() => fs.openSync(output, "a")),
    (fd) => Effect.sync(() => fs.closeSync(fd))
  )
  while (true) {
    const received = yield* Effect.option(Effect.catchTag(source.receive, "SourceEof", () => Effect.fail(undefined)))
    if (Option.isNone(received)) return
    const events = received.value
    fs.writeSync(out, events.map((e) => `${RawData.text(e.payload)}\n`).join(""))
    fs.fsyncSync(out)
    if (Number(delay) > 0) yield* Effect.sleep(Number(delay))
    yield* source.ackBatch(events.map((e) => e.ackToken))
  }
})

Effect.runPromiseExit(
  Effect.scoped(program).pipe(Effect.provide(ConnectorRegistry.fromConnectors(FileConnector.layer)))
).then((exit) => {
  process.exitCode = exit._tag === "Success" ? 0 : 1
  if (exit._tag === "Failure") console.error(String(exit.cause))
})
