/**
 * A WarpParse work root as WarpParse writes it (test/project/fixtures/warpparse: conf/wparse.toml,
 * defaults.toml with [defaults], business.d/ and infra.d/ groups, `oml`, `expect`, tcp `framing = "auto"`,
 * syslog `header_mode`): `wpc check` accepts it with one warning per key that has no meaning here, and
 * `wpc run` runs it — events no business group takes go to the `default` group, and each sink's share
 * of the input is checked against its `expect`.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { wpc } from "../cli/fixtures.js"
import { wpcMain } from "../js-build.js"
import { tempDir } from "./fixtures.js"

/** Runs `wpc run` on `dir` in a process of its own (as a user would), to its end. */
const wpcRun = (dir: string) =>
  spawnSync(process.execPath, [wpcMain, "run", "--work-root", dir, "--json", "--progress", "0"], { encoding: "utf8", timeout: 60_000 })

const fixture = path.join(import.meta.dirname, "fixtures", "warpparse")

/** A fresh copy of the fixture (a run writes its output, checkpoints and rescue under the work root). */
const copy = Effect.map(tempDir, (root) => {
  const dir = path.join(root, "wp")
  fs.cpSync(fixture, dir, { recursive: true })
  return dir
})

describe("a WarpParse work root", () => {
  it.scoped("passes wpc check, with one warning per key that has no meaning here", () =>
    Effect.gen(function*() {
      const dir = yield* copy
      const r = yield* wpc("check", "--work-root", dir)
      expect(r.err.split("\n").filter((l) => l.startsWith("error:"))).toEqual([])
      expect(r.code).toBe(0)
      const warnings = r.err.split("\n").filter((l) => l.startsWith("warning:"))
      // conf/wparse.toml: robust, skip_parse, skip_sink, [models], parse_workers, [stat]; the group's oml
      expect(warnings.map((w) => /: ([a-z_.[\]0-9]+): /.exec(w)?.[1])).toEqual([
        "robust",
        "skip_parse",
        "skip_sink",
        "models",
        "performance.parse_workers",
        "log_conf.level",
        "stat",
        "sink_group.oml"
      ])
      expect(r.out).toContain("ok: 4 sources, 6 sink groups, 6 sinks")
      const json = yield* wpc("check", "--work-root", dir, "--json")
      const checked = JSON.parse(json.out) as { ok: boolean; warnings: ReadonlyArray<{ path: string }>; sinkGroups: ReadonlyArray<{ name: string; role: string | null }> }
      expect(checked.ok).toBe(true)
      expect(checked.warnings.map((w) => w.path)).toHaveLength(8)
      expect(checked.sinkGroups.map((g) => g.role)).toEqual([null, "default", "error", "miss", "monitor", "residue"])
    }))

  it.scopedLive("runs with wpc run: unmatched events go to default, the expectation is checked and reported", () =>
    Effect.gen(function*() {
      const dir = yield* copy
      const r = wpcRun(dir)
      expect(r.status, r.stderr).toBe(0)
      const report = JSON.parse(r.stdout) as {
        status: string
        eventsIn: number
        unrouted: number
        expectations: ReadonlyArray<{ group: string; sink: string; ratio: number; ok: boolean; mode: string }>
      }
      // the 4 events of file_2 match no business group: counted as unrouted, and written by the default group
      expect(report).toMatchObject({ status: "completed", eventsIn: 8, unrouted: 4 })
      const out = path.join(dir, "data", "out_dat")
      expect(fs.readFileSync(path.join(out, "demo.json"), "utf8").trim().split("\n")).toHaveLength(4)
      expect(fs.readFileSync(path.join(out, "default.dat"), "utf8")).toBe("b1\nb2\nb3\nb4\n")
      expect(report.expectations).toEqual([{ group: "demo", sink: "json", basis: "total_input", mode: "warn", ratio: 0.5, expected: "ratio 0.5 ± 0.2", ok: true }])
      // the monitor group got the counters as the sources ended: one record per source, then per sink
      const monitor = fs.readFileSync(path.join(out, "monitor.dat"), "utf8").trim().split("\n")
      expect(monitor.slice(-8).map((l) => l.split(" ").slice(0, 2).join(" "))).toEqual([
        "source file_1", "source file_2", "sink demo", "sink default", "sink error", "sink miss", "sink monitor", "sink residue"
      ])
      expect(monitor.slice(-8)[0]!.split(" ")[2]).toBe("4")
      // [log_conf] output = "File": the run's log goes to data/logs/wparse.log
      expect(fs.existsSync(path.join(dir, "data", "logs", "wparse.log"))).toBe(true)
    }))

  it.scopedLive("a missed expectation of mode error fails the run (exit 3) and says which sink; of mode warn it only warns", () =>
    Effect.gen(function*() {
      const dir = yield* copy
      const demo = path.join(dir, "topology", "sinks", "business.d", "demo.toml")
      const text = fs.readFileSync(demo, "utf8")
      fs.writeFileSync(demo, text.replace("ratio = 0.5\ntol = 0.2", "ratio = 0.9\ntol = 0.05\nmode = \"error\""))
      const failed = wpcRun(dir)
      expect(failed.status, failed.stderr).toBe(3)
      const report = JSON.parse(failed.stdout) as { status: string; errors: ReadonlyArray<string>; expectations: ReadonlyArray<{ ok: boolean; ratio: number }> }
      expect(report.status).toBe("failed")
      expect(report.expectations).toMatchObject([{ group: "demo", sink: "json", mode: "error", ratio: 0.5, ok: false }])
      expect(report.errors).toEqual(["sink demo/json: share of the input 0.5 is outside its expectation (ratio 0.9 ± 0.05)"])

      // without the default group, the events no group takes are warned about
      fs.rmSync(path.join(dir, "topology", "sinks", "infra.d", "default.toml"))
      fs.rmSync(path.join(dir, "checkpoints"), { recursive: true, force: true })
      fs.writeFileSync(demo, text)
      const unrouted = wpcRun(dir)
      expect(unrouted.status, unrouted.stderr).toBe(0)
      expect(unrouted.stderr).toContain("[wpc] warning: 4 events matched no sink group and went nowhere")

      const again = yield* copy
      const warnOnly = path.join(again, "topology", "sinks", "business.d", "demo.toml")
      fs.writeFileSync(warnOnly, text.replace("ratio = 0.5\ntol = 0.2", "ratio = 0.9\ntol = 0.05"))
      const warned = wpcRun(again)
      expect(warned.status, warned.stderr).toBe(0)
      expect(warned.stderr).toContain("[wpc] warning: sink demo/json: share of the input 0.5 is outside its expectation (ratio 0.9 ± 0.05)")
    }))
})
