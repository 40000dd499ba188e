import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as path from "node:path"
import { tempDir } from "../project/fixtures.js"
import { nats, redis } from "./brokers.js"
import { completeLines, countLines, outputOf, startRun, waitUntil, writeProject } from "./cluster.js"

const events = 100_000
const ids = Array.from({ length: events }, (_, i) => `ev-${i}`)
/** What one process may hold read but not acked: its sink queue (engine default) plus the source's read-ahead and a batch. */
const unackedWindow = 16_384 + 3 * 1024

for (const broker of [nats, redis]) {
  describe(`three wpc run processes sharing one ${broker.kind} consumer group`, () => {
    it.scopedLive("one killed with SIGKILL mid-run: the union holds every event, duplicates only from its unacked window", () =>
      Effect.gen(function*() {
        const { fill, sourceParams } = yield* broker.start
        yield* fill("EV", ids)
        const root = yield* tempDir
        const dirs = ["p0", "p1", "p2"].map((p) => path.join(root, p))
        // each process writes at most 8000 events/s, so the run lasts long enough to kill one in the middle;
        // what the killed one read and never acked goes to the others 5 s later
        for (const dir of dirs) writeProject(dir, { source: { kind: broker.kind, params: sourceParams("EV", "wpc", 5000) }, rateLimitRps: 8000 })
        const runs = yield* Effect.forEach(dirs, (dir) => startRun(dir))
        const lines = () => dirs.map((d) => completeLines(outputOf(d)))

        yield* waitUntil("every process has written some events", 40_000, () => lines().every((l) => l.length >= 1000))
        const atKill = lines().reduce((n, l) => n + l.length, 0)
        expect(atKill).toBeLessThan(events - 10_000)
        runs[1]!.child.kill("SIGKILL")
        expect((yield* Effect.promise(() => runs[1]!.exited)).signal).toBe("SIGKILL")
        const killed = new Set(completeLines(outputOf(dirs[1]!)))

        yield* waitUntil("the union holds every event", 60_000, () => countLines(lines().flat()).size >= events)
        for (const i of [0, 2]) runs[i]!.child.kill("SIGINT")
        for (const i of [0, 2]) {
          const { code } = yield* Effect.promise(() => runs[i]!.exited)
          expect(code, runs[i]!.stderr()).toBe(0)
          expect(JSON.parse(runs[i]!.stdout())).toMatchObject({ status: "stopped", unacked: 0 })
        }

        const [a, , c] = lines()
        const all = countLines([...a!, ...killed, ...c!])
        expect([...all.keys()].filter((l) => !/^ev-\d+$/.test(l))).toEqual([])
        expect(ids.filter((id) => !all.has(id))).toEqual([])
        // no process wrote an event twice, and the survivors never shared one: every duplicate is an
        // event the killed process wrote but had not acked, redelivered to a survivor
        for (const out of [a!, c!]) expect(countLines(out).size).toBe(out.length)
        const inA = new Set(a)
        expect(c!.filter((l) => inA.has(l))).toEqual([])
        const duplicates = [...all].filter(([, n]) => n > 1).map(([l]) => l)
        expect(duplicates.filter((l) => !killed.has(l))).toEqual([])
        expect(duplicates.length).toBeLessThanOrEqual(unackedWindow)
        console.log(`${broker.kind}: killed after ${atKill} events written; ${killed.size} by the killed process, ${duplicates.length} duplicated`)
      }), 120_000)
  })
}
