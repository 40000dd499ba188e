import * as dgram from "node:dgram"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Schema, Scope } from "effect"
import * as Syslog from "../../../src/connectors/syslog/index.js"
import type * as UdpReceiver from "../../../src/connectors/syslog/udp.js"
import { Tags } from "../../../src/index.js"
import { receiveN, startAcceptor, text } from "../tcp/harness.js"
import { tempDir } from "./fixtures.js"

/** Sends each message as one datagram to 127.0.0.1:`port`, in order. */
const sendDatagrams = (port: number, messages: ReadonlyArray<string>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => dgram.createSocket("udp4")),
    (socket) =>
      Effect.forEach(messages, (m) =>
        Effect.async<void, Error>((resume) => socket.send(m, port, "127.0.0.1", (e) => resume(e === null ? Effect.void : Effect.fail(e))))),
    (socket) => Effect.async<void>((resume) => void socket.close(() => resume(Effect.void)))
  )

/** A syslog UDP source with `buffer = "disk"` under `workRoot`, opened in its own Scope and serving. */
const open = (workRoot: string) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const params = Schema.decodeUnknownSync(Syslog.SourceParams)({ port: 0, protocol: "udp", buffer: "disk" })
    const built = yield* Scope.extend(Syslog.SyslogSource.make("logs", params, Tags.make({ env: "test" }), workRoot), scope)
    const { plane } = yield* Scope.extend(startAcceptor(built.acceptor), scope)
    return { ...built, close: Effect.zipRight(plane.stop, Scope.close(scope, Exit.void)) }
  })

const messages = [
  "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 77 ID47 - An application event",
  "<34>Oct 11 22:14:15 mymachine su[42]: 'su root' failed",
  "not syslog at all"
]

describe("syslog source (UDP) with buffer = \"disk\"", () => {
  it.scopedLive("replays what was not acked with the tags parsed from each message and the sender", () =>
    Effect.gen(function*() {
      const workRoot = yield* tempDir
      const first = yield* open(workRoot)
      yield* sendDatagrams(first.acceptor.port, messages)
      const got = yield* receiveN(first.source, 3)
      expect(got.map(text)).toEqual(messages)
      const tags = got.map((e) => Tags.toRecord(e.tags))
      expect(tags[1]).toEqual({ env: "test", facility: "4", severity: "2", host: "mymachine", app: "su", procid: "42" })
      expect(tags[2]).toEqual({ env: "test", syslog_malformed: "true" })
      expect((first.acceptor as UdpReceiver.UdpReceiver).stats().dropped).toBe(0)
      yield* first.source.ackUpTo!(got[0]!.ackToken)
      yield* first.close

      const second = yield* open(workRoot)
      const replayed = yield* receiveN(second.source, 2)
      expect(replayed.map(text)).toEqual(messages.slice(1))
      expect(replayed.map((e) => Tags.toRecord(e.tags))).toEqual(tags.slice(1))
      expect(replayed.map((e) => e.upsIp)).toEqual(["127.0.0.1", "127.0.0.1"])
      expect(replayed.map((e) => e.eventId)).toEqual([1, 2])
      yield* second.close
    }))
})
