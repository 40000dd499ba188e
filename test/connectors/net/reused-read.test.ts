import * as net from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Effect, type Scope } from "effect"
import * as ReusedRead from "../../../src/connectors/net/reused-read.js"
import { connect, eventually, leakChecked } from "../tcp/harness.js"

/** What one accepted socket handed over: each read's bytes and the buffer they were in. */
interface Accepted {
  readonly socket: net.Socket
  readonly installed: boolean
  readonly chunks: Array<{ readonly text: string; readonly buffer: ArrayBufferLike }>
}

/** A server on 127.0.0.1 for the Scope whose sockets are read through `install`; every one accepted, in order. */
const server = (pauseOnConnect: boolean): Effect.Effect<{ readonly port: number; readonly accepted: Array<Accepted> }, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: net.Server; readonly port: number; readonly accepted: Array<Accepted> }>((resume) => {
      const accepted: Array<Accepted> = []
      const s = net.createServer({ pauseOnConnect }, (socket) => {
        const chunks: Accepted["chunks"] = []
        const installed = ReusedRead.install(socket, (chunk) => chunks.push({ text: chunk.toString("latin1"), buffer: chunk.buffer }))
        if (!installed) socket.on("data", (chunk: Buffer) => chunks.push({ text: chunk.toString("latin1"), buffer: chunk.buffer }))
        socket.on("error", () => undefined)
        accepted.push({ socket, installed, chunks })
      })
      s.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server: s, port: (s.address() as net.AddressInfo).port, accepted })))
    }),
    ({ accepted, server }) =>
      Effect.async<void>((resume) => {
        for (const a of accepted) a.socket.destroy()
        server.close(() => resume(Effect.void))
      })
  )

const joined = (a: Accepted) => a.chunks.map((c) => c.text).join("")

describe("ReusedRead", () => {
  it("finds Node's onread slots on this Node (without them every read allocates its own buffer again)", () => {
    expect(ReusedRead.isAvailable()).toBe(true)
  })

  it.live("reads every accepted socket into one buffer, each read whole and in order", () =>
    leakChecked(Effect.gen(function*() {
      const { accepted, port } = yield* server(true)
      const one = yield* connect(port)
      const two = yield* connect(port)
      yield* eventually(() => accepted.length === 2, "both connections accepted")
      for (const a of accepted) a.socket.resume()
      const sent = ["a", "b"].map((c, k) => Array.from({ length: 3000 }, (_, i) => `${c}${k}:${i};`).join(""))
      yield* Effect.all([one.write(sent[0]!), two.write(sent[1]!)], { concurrency: 2 })
      yield* eventually(() => accepted.every((a, k) => joined(a).length === sent[k]!.length), "every byte read")
      expect(accepted.map((a) => a.installed)).toEqual([true, true])
      expect(accepted.map(joined).sort()).toEqual([...sent].sort())
      const buffers = new Set(accepted.flatMap((a) => a.chunks.map((c) => c.buffer)))
      expect(buffers.size).toBe(1)
      expect([...buffers][0]!.byteLength).toBe(ReusedRead.bufferBytes)
    })))

  it.live("a paused socket is not read until it is resumed", () =>
    leakChecked(Effect.gen(function*() {
      const { accepted, port } = yield* server(true)
      const client = yield* connect(port)
      yield* eventually(() => accepted.length === 1, "the connection accepted")
      const [a] = accepted
      a!.socket.resume()
      yield* client.write("first;")
      yield* eventually(() => joined(a!) === "first;", "the first write read")
      a!.socket.pause()
      yield* client.write("second;")
      // a later write is read once the socket is resumed, after the one it held back
      yield* Effect.sleep("100 millis")
      expect(joined(a!)).toBe("first;")
      a!.socket.resume()
      yield* client.write("third;")
      yield* eventually(() => joined(a!) === "first;second;third;", "the held-back writes read, in order")
    })))

  it.live("declines a socket that is read already (not accepted paused): it emits data as usual", () =>
    leakChecked(Effect.gen(function*() {
      const { accepted, port } = yield* server(false)
      const client = yield* connect(port)
      yield* eventually(() => accepted.length === 1, "the connection accepted")
      yield* client.write("plain;")
      yield* eventually(() => joined(accepted[0]!) === "plain;", "read through data events")
      expect(accepted[0]!.installed).toBe(false)
    })))
})
