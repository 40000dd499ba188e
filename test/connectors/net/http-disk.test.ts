import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Schema, Scope } from "effect"
import * as Http from "../../../src/connectors/http/index.js"
import * as BufferParams from "../../../src/connectors/net/buffer-params.js"
import * as WalRecord from "../../../src/connectors/net/wal-record.js"
import { SourceEvent, Tags } from "../../../src/index.js"
import { request } from "../http/client.js"
import { smallDisk } from "../file/small-disk.js"
import { receiveN, startAcceptor, text } from "../tcp/harness.js"
import { openIntake, options, segmentFiles, tempDir } from "./fixtures.js"

/** Every event in the log's segment files, decoded from disk: [number, payload]. */
const onDisk = (dir: string): Array<[number, string]> => {
  const out: Array<[number, string]> = []
  for (const name of segmentFiles(dir)) {
    const bytes = fs.readFileSync(path.join(dir, name))
    let at = 0
    while (at < bytes.length) {
      const found = WalRecord.read(bytes, at, bytes.length)
      if (found._tag !== "Record") break
      WalRecord.decode(found, 0, (seq, payload) => out.push([seq, typeof payload === "string" ? payload : "bytes"]))
      at += found.length
    }
  }
  return out
}

/** An http source with `buffer = "disk"` under `workRoot`, opened in its own Scope and serving. */
const open = (workRoot: string, extra: Record<string, unknown> = {}) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const params = Schema.decodeUnknownSync(Http.SourceParams)({ port: 0, buffer: "disk", ...extra })
    const built = yield* Scope.extend(Http.HttpSource.make("ingest", params, Tags.make({ app: "api" }), workRoot), scope)
    const { plane } = yield* Scope.extend(startAcceptor(built.acceptor), scope)
    const close = Effect.zipRight(plane.stop, Scope.close(scope, Exit.void))
    return { ...built, close }
  })

describe("http source with buffer = \"disk\"", () => {
  it.scopedLive("Intake.fromDisk admits a request only once its events are synced", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { close, intake: disk } = yield* openIntake(options(dir))
      const intake = Http.Intake.fromDisk(disk, 100)
      const admission = yield* intake.offerAll(3, (eventId, i) => SourceEvent.make({ eventId, srcKey: "t", payload: `line ${i}` }))
      expect(admission._tag).toBe("Admitted")
      // the admission (and so the 202) comes after the sync, never before
      expect(disk.stats().durableSeq).toBe(3)
      expect(disk.stats().syncs).toBeGreaterThanOrEqual(1)
      yield* intake.close
      expect((yield* intake.offerAll(1, (eventId) => SourceEvent.make({ eventId, srcKey: "t", payload: "x" })))._tag).toBe("Closed")
      yield* close
    }))

  it.scopedLive("answers 202 only once the request's lines are in the log; acks carry over a restart", () =>
    Effect.gen(function*() {
      const workRoot = yield* tempDir
      const dir = BufferParams.location(workRoot, "ingest")
      const first = yield* open(workRoot)
      expect(first.source.caps.ack).toBe(true)
      const answer = yield* request(first.acceptor.port, { body: "one\ntwo\nthree\n" })
      expect(answer.status).toBe(202)
      expect(answer.json).toEqual({ accepted: 3 })
      // at the 202 the lines are in the log already (written and synced before the answer)
      expect(onDisk(dir)).toEqual([[0, "one"], [1, "two"], [2, "three"]])
      const got = yield* receiveN(first.source, 3)
      expect(got.map(text)).toEqual(["one", "two", "three"])
      expect(got.map((e) => e.ackToken)).toEqual([0, 1, 2])
      expect(Tags.toRecord(got[0]!.tags)).toEqual({ app: "api", http_path: "/ingest" })
      expect(got[0]!.upsIp).toBe("127.0.0.1")
      yield* first.source.ackUpTo!(got[1]!.ackToken) // "three" not acked
      yield* first.close

      const second = yield* open(workRoot)
      const next = yield* request(second.acceptor.port, { body: "four\n" })
      expect(next.status).toBe(202)
      const replayed = yield* receiveN(second.source, 2)
      expect(replayed.map((e) => [e.eventId, text(e)])).toEqual([[2, "three"], [3, "four"]])
      expect(replayed[0]!.upsIp).toBe("127.0.0.1")
      yield* second.close
    }))

  it.scopedLive("at buffer_max_bytes it refuses requests with 503 until acks free the log; nothing is lost", () =>
    Effect.gen(function*() {
      const workRoot = yield* tempDir
      const source = yield* open(workRoot, { buffer_max_bytes: 1048576, batch_events: 10_000 })
      const line = "l".repeat(200)
      const body = (k: number) => Array.from({ length: 3000 }, (_, i) => `${k}-${i}-${line}`).join("\n") + "\n"
      let accepted = 0
      let refused = 0
      for (let k = 0; k < 5 && refused === 0; k++) {
        const answer = yield* request(source.acceptor.port, { body: body(k) })
        if (answer.status === 202) accepted++
        else {
          expect(answer.status).toBe(503)
          expect(answer.headers["retry-after"]).toBe("1")
          // the byte bound is what refused it, not a count of events (the memory queue's "queue full")
          expect((answer.json as { error: string }).error).toMatch(
            /^disk intake at its byte bound: \d+ bytes in the log, buffer_max_bytes is 1048576; request of 3000 events not taken, retry once the pipeline acks$/
          )
          refused++
        }
      }
      expect(accepted).toBeGreaterThanOrEqual(1)
      expect(refused).toBe(1)
      const got = yield* receiveN(source.source, accepted * 3000)
      expect(got.length).toBe(accepted * 3000)
      yield* source.source.ackUpTo!(got.at(-1)!.ackToken)
      const again = yield* request(source.acceptor.port, { body: body(9) })
      expect(again.status).toBe(202)
      yield* source.close
    }))

  it.scopedLive("after a disk failure it answers 503 naming the failure and its coded error, not \"stopping\" or \"queue full\"", () =>
    Effect.gen(function*() {
      const disk = yield* smallDisk(512 * 1024)
      const source = yield* open(disk.dir)
      const ok = yield* request(source.acceptor.port, { body: "before\n" })
      expect(ok.status).toBe(202)
      yield* disk.fill()
      // the first request whose write fails, then one after the log stopped: both say why
      for (const body of ["x".repeat(64 * 1024) + "\n", "after\n"]) {
        const answer = yield* request(source.acceptor.port, { body })
        expect(answer.status).toBe(503)
        expect(answer.headers["retry-after"]).toBe("1")
        const error = (answer.json as { error: string }).error
        expect(error).toBe("disk intake failed, nothing more is appended: [203 Uvs]")
        expect(error).not.toContain(disk.dir) // no server path reaches a client
      }
      expect((yield* receiveN(source.source, 1)).map(text)).toEqual(["before"])
      yield* source.close
      yield* disk.clear
    }))
})
