import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import * as path from "node:path"
import { tempDir } from "../project/fixtures.js"
import { nats, redis } from "./brokers.js"
import { completeLines, countLines, isRunning, outputOf, startRun, waitUntil, writeProject } from "./cluster.js"

const events = 100_000
const ids = Array.from({ length: events }, (_, i) => `ev-${i}`)
/** What one process may hold read but not acked: its sink queue (engine default) plus the source's read-ahead and a batch. */
const unackedWindow = 16_384 + 3 * 1024

for (const broker of [nats, redis]) {
  describe(`three wpc run processes sharing one ${broker.kind} consumer group`, () => {
    it.scopedLive("one killed with SIGKILL mid-run: the union holds every event, duplicates only from its unacked window", () =>
      Effect.gen(function*() {
        const { fill, sourceParams } = yield* broker.start
        // nats: the sink creates the stream, empty, for the durable consumer to bind to (redis: the
        // sources create it with their group)
        yield* fill("EV", [])
        const root = yield* tempDir
        const dirs = ["p0", "p1", "p2"].map((p) => path.join(root, p))
        // each process writes at most 8000 events/s, so the run lasts long enough to kill one in the middle;
        // what the killed one read and never acked goes to the others 15 s later. That delay must exceed the
        // longest a live process holds an event between read and ack (its full queue at its sink's rate: 2.4 s
        // at 8000/s, over 5 s on a busy 2-core machine), or the survivors take each other's slow events too
        for (const dir of dirs) writeProject(dir, { source: { kind: broker.kind, params: sourceParams("EV", "wpc", 15_000) }, rateLimitRps: 8000 })
        const runs = yield* Effect.forEach(dirs, (dir) => startRun(dir, {}, 1))
        // all three read before the first event is there: on a busy machine one may start seconds after the
        // others, and would find the stream drained (or nearly) if it were filled first
        yield* waitUntil("every process runs its pipeline", 60_000, () => runs.every(isRunning))
        const filling = yield* Effect.fork(fill("EV", ids))
        const lines = () => dirs.map((d) => completeLines(outputOf(d)))

        yield* waitUntil("every process has written some events", 40_000, () => lines().every((l) => l.length >= 1000))
        const atKill = lines().reduce((n, l) => n + l.length, 0)
        expect(atKill).toBeLessThan(events - 10_000)
        runs[1]!.child.kill("SIGKILL")
        expect((yield* Effect.promise(() => runs[1]!.exited)).signal).toBe("SIGKILL")
        const killed = new Set(completeLines(outputOf(dirs[1]!)))
        yield* Fiber.join(filling)

        yield* waitUntil("the union holds every event", 90_000, () => countLines(lines().flat()).size >= events)
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
      }), 180_000)
  })
}
