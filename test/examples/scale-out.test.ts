import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as path from "node:path"
import { tempDir } from "../project/fixtures.js"
import { nats } from "../scale/brokers.js"
import { completeLines, countLines, startRun, waitUntil } from "../scale/cluster.js"
import { copyTracked } from "./copy-tracked.js"

const example = path.join(import.meta.dirname, "..", "..", "examples", "scale-out")
const events = 5000
const ids = Array.from({ length: events }, (_, i) => `line ${i}`)

describe("examples/scale-out", () => {
  it.scopedLive("two copies share a JetStream stream: every event written once, by one of them", () =>
    Effect.gen(function*() {
      const { server, fill } = yield* nats.start
      yield* fill("LOGS", ids)
      const root = yield* tempDir
      const dirs = ["a", "b"].map((d) => path.join(root, d))
      for (const dir of dirs) copyTracked(example, dir)
      const env = { NATS_URL: `nats://127.0.0.1:${server.port}`, LOG_STREAM: "LOGS" }
      const runs = yield* Effect.forEach(dirs, (dir) => startRun(dir, env))
      const outputs = () => dirs.map((d) => completeLines(path.join(d, "data", "out", "events.log")))
      yield* waitUntil("both outputs together hold every event", 30_000, () => countLines(outputs().flat()).size >= events)
      for (const run of runs) run.child.kill("SIGINT")
      for (const run of runs) expect((yield* Effect.promise(() => run.exited)).code, run.stderr()).toBe(0)
      const all = outputs().flat()
      // graceful runs: nothing redelivered, so exactly once overall
      expect(all.length).toBe(events)
      expect(new Set(all)).toEqual(new Set(ids))
    }), 60_000)
})
