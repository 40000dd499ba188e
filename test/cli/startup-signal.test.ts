import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { silentServer } from "../connectors/nats/silent-server.js"
import { tempDir } from "../project/fixtures.js"
import { example } from "./fixtures.js"

const repo = path.join(import.meta.dirname, "..", "..")

describe("wpc run stopped while it starts", () => {
  it.scopedLive("SIGTERM while a source waits for its server: exit 0, status stopped, nothing read or acked", () =>
    Effect.gen(function*() {
      const silent = yield* silentServer
      const dir = path.join(yield* tempDir, "starting")
      // the project alone: not what a run of the example may have left in it
      fs.cpSync(example, dir, { recursive: true, filter: (from) => !/[/\\](data[/\\]out|checkpoints|rescue)$/.test(from) })
      fs.writeFileSync(path.join(dir, "topology/sources/nats.toml"), `[[sources]]
key = "queue"
connect = "nats-src"
params = { servers = "nats://127.0.0.1:${silent.port}", stream = "S", durable = "d" }
`)
      const child = spawn(process.execPath, ["bin/wpc.js", "run", "--work-root", dir, "--progress", "0", "--json"], { cwd: repo })
      let out = ""
      let err = ""
      child.stdout.on("data", (d: Buffer) => (out += d.toString()))
      child.stderr.on("data", (d: Buffer) => (err += d.toString()))
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on("exit", (code, signal) => resolve({ code, signal }))
      )
      yield* Effect.addFinalizer(() => Effect.sync(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL")))
      // start-up is under way: the nats client is connecting to the server that never answers
      yield* Effect.promise(() => silent.connected)
      child.kill("SIGTERM")
      const exit = yield* Effect.promise(() => exited)
      expect(exit).toEqual({ code: 0, signal: null })
      expect(err).toContain("[wpc] starting: 2 sources, 1 sink group")
      expect(err).toContain("[wpc] SIGTERM while starting: stopping")
      const report = JSON.parse(out) as { status: string; eventsIn: number; acked: number; unacked: number; sinks: Array<{ events: number }> }
      expect(report).toMatchObject({ status: "stopped", eventsIn: 0, acked: 0, unacked: 0 })
      expect(report.sinks.every((s) => s.events === 0)).toBe(true)
      // nothing was written, and no checkpoint says anything was read
      const written = path.join(dir, "data/out/sample.out.log")
      expect(fs.existsSync(written) ? fs.readFileSync(written, "utf8") : "").toBe("")
      const checkpoints = path.join(dir, "checkpoints")
      for (const file of fs.existsSync(checkpoints) ? fs.readdirSync(checkpoints) : []) {
        expect(JSON.parse(fs.readFileSync(path.join(checkpoints, file), "utf8"))).toMatchObject({ offset: 0 })
      }
    }), 60_000)
})
