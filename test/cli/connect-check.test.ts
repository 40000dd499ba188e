import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { freePort } from "../../src/testkit/ports.js"
import { natsServer } from "../connectors/nats/server.js"
import { redisServer } from "../connectors/redis/server.js"
import { copyTracked } from "../examples/copy-tracked.js"
import { tempDir } from "../project/fixtures.js"
import { example, wpc } from "./fixtures.js"

/** A TCP listener on a free loopback port for the Scope, counting the connections it accepted. */
const listener = Effect.acquireRelease(
  Effect.async<{ readonly server: net.Server; readonly port: number; readonly accepted: () => number }>((resume) => {
    let accepted = 0
    const server = net.createServer((socket) => {
      accepted += 1
      socket.destroy()
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      resume(Effect.succeed({ server, port: typeof address === "object" && address !== null ? address.port : 0, accepted: () => accepted }))
    })
  }),
  ({ server }) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
)

/** A copy of examples/file-to-file with the extra sink connectors `defs` and the sink group `group`. */
const projectWith = (defs: string, group: string) =>
  Effect.gen(function*() {
    const dir = path.join(yield* tempDir, "project")
    copyTracked(example, dir)
    if (defs !== "") fs.writeFileSync(path.join(dir, "connectors/sink.d/more.toml"), defs)
    if (group !== "") fs.writeFileSync(path.join(dir, "topology/sinks/business.d/more.toml"), group)
    return dir
  })

const sinkDef = (id: string, type: string, params: string) => `[[connectors]]\nid = "${id}"\ntype = "${type}"\n\n[connectors.params]\n${params}\n`

const sink = (name: string, connect: string) => `[[sink_group.sinks]]\nname = "${name}"\nconnect = "${connect}"\n`

describe("wpc check --connect", () => {
  it.scopedLive("reaches every sink: servers that are up are ok, a port where none listens fails with its code (exit 1)", () =>
    Effect.gen(function*() {
      const redis = yield* redisServer
      const nats = yield* natsServer
      const tcp = yield* listener
      const nobody = yield* freePort
      const dir = yield* projectWith(
        [
          sinkDef("redis_up", "redis", `host = "127.0.0.1"\nport = ${redis.port}\nstream = "out"`),
          sinkDef("nats_up", "nats", `servers = "${nats.url}"\nstream = "OUT"`),
          sinkDef("tcp_up", "tcp", `addr = "127.0.0.1"\nport = ${tcp.port}`),
          sinkDef("tcp_down", "tcp", `addr = "127.0.0.1"\nport = ${nobody}`),
          sinkDef("redis_down", "redis", `host = "127.0.0.1"\nport = ${nobody}\nstream = "out"`)
        ].join("\n"),
        `[sink_group]\nname = "more"\n\n${[sink("r", "redis_up"), sink("n", "nats_up"), sink("t", "tcp_up"), sink("t2", "tcp_down"), sink("r2", "redis_down")].join("\n")}`
      )
      const check = yield* wpc("check", "-w", dir, "--connect", "--json")
      expect(check.code, check.err).toBe(1)
      const report = JSON.parse(check.out) as { connect: Array<{ name: string; kind: string; status: string; detail: string; code?: number }> }
      const byName = new Map(report.connect.map((r) => [r.name, r]))
      expect(byName.get("sample_log")).toMatchObject({ status: "ok", detail: `${path.join(dir, "data/in/sample.log")} is readable` })
      expect(byName.get("all/copy")).toMatchObject({ status: "ok", detail: `${path.join(dir, "data/out/sample.out.log")} can be written` })
      expect(byName.get("more/r")).toMatchObject({ status: "ok", detail: `PING 127.0.0.1:${redis.port}` })
      expect(byName.get("more/n")).toMatchObject({ status: "ok", detail: `NATS INFO from 127.0.0.1:${nats.port}` })
      expect(byName.get("more/t")).toMatchObject({ status: "ok", detail: `connected to 127.0.0.1:${tcp.port}` })
      expect(byName.get("more/t2")).toEqual({
        component: "sink",
        name: "more/t2",
        kind: "tcp",
        status: "failed",
        detail: `[202 Uvs] NetworkError: 127.0.0.1:${nobody}: connection refused`,
        code: 202
      })
      expect(byName.get("more/r2")).toMatchObject({ status: "failed", code: 202 })
      expect(report.connect.map((r) => r.name)).toEqual(["sample_log", "all/copy", "more/r", "more/n", "more/t", "more/t2", "more/r2"])
      // connected and closed: nothing was written to the stream the redis sink would write
      expect(yield* redis.use((client) => client.exists("out"))).toBe(0)
      expect(tcp.accepted()).toBe(1)
    }), 60_000)

  it.scopedLive("a missing source file and a listening address in use fail with their codes; the text report lists each check", () =>
    Effect.gen(function*() {
      const busy = yield* listener
      const dir = yield* projectWith("", "")
      fs.rmSync(path.join(dir, "data/in/sample.log"))
      fs.writeFileSync(path.join(dir, "connectors/source.d/tcp.toml"), sinkDef("tcp_in", "tcp", `addr = "127.0.0.1"\nport = ${busy.port}`))
      fs.appendFileSync(path.join(dir, "topology/sources/file.toml"), `\n[[sources]]\nkey = "tcp_in"\nconnect = "tcp_in"\n`)
      const check = yield* wpc("check", "-w", dir, "--connect")
      expect(check.code, check.err).toBe(1)
      expect(check.err).toBe("")
      const rows = check.out.split("\n").slice(check.out.split("\n").indexOf("connections:") + 1)
      expect(rows[0]).toMatch(/^COMPONENT\s+NAME\s+KIND\s+STATUS\s+DETAIL$/)
      expect(rows[1]?.split(/\s+/).slice(0, 4)).toEqual(["source", "sample_log", "file", "failed"])
      expect(rows[1]).toContain(`[102 Uvs] NotFoundError: ${path.join(dir, "data/in/sample.log")}: no such file`)
      expect(rows[2]).toMatch(new RegExp(`^source\\s+tcp_in\\s+tcp\\s+failed\\s+\\[203 Uvs\\] ResourceError: listen on 127\\.0\\.0\\.1:${busy.port}: address already in use$`))
      expect(rows[3]).toMatch(/^sink\s+all\/copy\s+file\s+ok\s+/)
    }), 60_000)
})
