/**
 * examples/nginx-json, run as a user runs it (a real `wpc` process): its custom TypeScript processor
 * turns the access log into JSON lines, the malformed lines land in the rescue file, and its own
 * pipeline tests pass.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { wpcMain } from "../js-build.js"
import { copyTracked } from "./copy-tracked.js"

const repo = path.join(import.meta.dirname, "..", "..")
const example = path.join(repo, "examples", "nginx-json")

/**
 * A copy of the example two levels under the repository (`.tmp/nginx-json-*`, git-ignored), so that its
 * processor's import of `../../../src/index.js` still reaches the library; removed when the Scope closes.
 */
const copy = Effect.acquireRelease(
  Effect.sync(() => {
    fs.mkdirSync(path.join(repo, ".tmp"), { recursive: true })
    const dir = fs.mkdtempSync(path.join(repo, ".tmp", "nginx-json-"))
    copyTracked(example, dir)
    return dir
  }),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

const wpc = (...args: ReadonlyArray<string>) =>
  spawnSync(process.execPath, [wpcMain, ...args], { cwd: repo, encoding: "utf8", timeout: 60_000 })

describe("examples/nginx-json", () => {
  it.scopedLive("wpc run: 19 requests as JSON records, the 2 malformed lines in the rescue file; wpc test passes", () =>
    Effect.gen(function*() {
      const dir = yield* copy
      const input = fs.readFileSync(path.join(dir, "data", "in", "access.log"), "utf8").trimEnd().split("\n")
      expect(input).toHaveLength(21)

      const run = wpc("run", "--work-root", dir, "--json", "--progress", "0")
      expect(run.status, run.stderr).toBe(0)
      expect(JSON.parse(run.stdout)).toMatchObject({
        status: "completed",
        eventsIn: 21,
        acked: 21,
        unacked: 0,
        processors: [expect.objectContaining({ source: "nginx_access", name: "nginx", in: 21, out: 19, failed: 2, rescued: 2 })]
      })

      const records = fs.readFileSync(path.join(dir, "data", "out", "access.json"), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l))
      expect(records).toHaveLength(19)
      expect(records[0]).toEqual({
        ip: "203.0.113.7",
        time: "2024-10-10T13:55:36.000Z",
        method: "GET",
        path: "/index.html",
        status: 200,
        bytes: 5120,
        referer: "-",
        agent: "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0"
      })
      for (const r of records) expect(Object.keys(r)).toEqual(["ip", "time", "method", "path", "status", "bytes", "referer", "agent"])
      // a body size of "-" is 0, a +0200 local time is two hours earlier in UTC, an IPv6 client stays one
      expect(records.find((r) => r.path === "/checkout")).toMatchObject({ status: 302, bytes: 0 })
      expect(records.find((r) => r.path === "/wp-login.php")).toMatchObject({ time: "2024-10-10T11:57:48.000Z", status: 404 })
      expect(records.find((r) => r.path === "/healthz")).toMatchObject({ ip: "2001:db8::5", bytes: 2 })
      expect(records.map((r) => r.status)).toEqual([200, 200, 200, 200, 404, 204, 200, 200, 200, 502, 200, 200, 301, 200, 302, 404, 201, 200, 200])

      const rescued = fs.readFileSync(path.join(dir, "rescue", "processing__nginx.jsonl"), "utf8").trimEnd().split("\n").map((l) => JSON.parse(l))
      expect(rescued.map((r) => r.event.payload)).toEqual([input[10], input[19]])
      for (const r of rescued) {
        expect(r).toMatchObject({ group: "processing", sink: "nginx", code: 540, reason: "Process", detail: "not an nginx access line (combined format)" })
      }

      const test = wpc("test", "--work-root", dir)
      expect(test.stdout.trimEnd().split("\n").at(-1), test.stderr).toBe("ok: 3 tests passed (4 events)")
      expect(test.status).toBe(0)
    }), 120_000)
})
