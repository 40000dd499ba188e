import { describe, expect, it } from "@effect/vitest"
import { VictoriaMetricsServerStart as ServerStart } from "../../../src/connectors/victoriametrics/index.js"

const metrics = (start: number, uptime: number) =>
  `# HELP x\nvm_app_version{version="victoria-metrics-1.79.5"} 1\nvm_app_start_timestamp ${start}\nvm_app_uptime_seconds ${uptime}\nvm_rows 7\n`

describe("victoriametrics server start", () => {
  it("reads the start and uptime from /metrics; without both it reads nothing", () => {
    expect(ServerStart.parse(metrics(1795991967, 3210))).toEqual({ start: 1795991967, uptime: 3210 })
    expect(ServerStart.parse("vm_app_start_timestamp 5\n")).toBeUndefined()
    expect(ServerStart.parse("not metrics")).toBeUndefined()
  })

  it("only a clear earlier reading with the same start means no restart; a new start, an early reading or none mean one", () => {
    const seen = { start: 100, uptime: 60 }
    expect(ServerStart.restartedSince(seen, { start: 100, uptime: 90 })).toBe(false)
    expect(ServerStart.restartedSince(seen, { start: 161, uptime: 0 })).toBe(true)
    // seen in its first second or so: a restart in the same second would show the same start
    expect(ServerStart.restartedSince({ start: 100, uptime: 1 }, { start: 100, uptime: 3 })).toBe(true)
    expect(ServerStart.restartedSince(undefined, seen)).toBe(true)
    expect(ServerStart.restartedSince(seen, undefined)).toBe(true)
  })
})
