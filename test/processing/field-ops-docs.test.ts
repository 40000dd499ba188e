/** The examples of the "Field operations" section of docs/processors.md, run as written there. */
import { describe, expect, it } from "@effect/vitest"
import { Tags } from "../../src/index.js"
import * as Drop from "../../src/processing/drop.js"
import * as Keep from "../../src/processing/keep.js"
import { dropped } from "../../src/processing/processor.js"
import * as Remove from "../../src/processing/remove.js"
import * as Rename from "../../src/processing/rename.js"
import * as Set from "../../src/processing/set.js"
import * as Tag from "../../src/processing/tag.js"
import { event, json, single, step } from "./field-fixtures.js"

describe("docs/processors.md field operation examples", () => {
  it("set", () => {
    const s = step(Set.kind, { fields: { env: "prod", port: 514, "geo.dc": "par1", id: "${host}:${port}" } })
    expect(json(s(event({ host: "web-1", port: 8080 })))).toBe(`{"host":"web-1","port":514,"env":"prod","geo":{"dc":"par1"},"id":"web-1:8080"}`)
  })

  it("rename", () => {
    const s = step(Rename.kind, { fields: { src: "src_ip", "http.status": "status" } })
    expect(json(s(event({ src: "10.0.0.1", http: { status: 503, path: "/" } })))).toBe(`{"http":{"path":"/"},"src_ip":"10.0.0.1","status":503}`)
  })

  it("remove", () => {
    const s = step(Remove.kind, { fields: ["password", "http.headers.cookie"] })
    expect(json(s(event({ user: "u", password: "p", http: { headers: { cookie: "c", host: "h" } } })))).toBe(`{"user":"u","http":{"headers":{"host":"h"}}}`)
  })

  it("keep", () => {
    const s = step(Keep.kind, { fields: ["ts", "status", "http.path"] })
    expect(json(s(event({ ts: "t", host: "h", status: 200, http: { path: "/", size: 1 } })))).toBe(`{"ts":"t","status":200,"http":{"path":"/"}}`)
  })

  it("tag", () => {
    const s = step(Tag.kind, { fields: { "http.status": "http_status", level: "level" } })
    expect(Tags.toRecord(single(s(event({ level: "error", http: { status: 503 } }))).tags)).toEqual({ http_status: "503", level: "error" })
  })

  it("drop", () => {
    const s = step(Drop.kind, { filter: `$level == "debug" || ($status < 400 && $path starts_with "/health")` })
    expect(s(event({ level: "debug", status: 500 }))).toBe(dropped)
    expect(s(event({ level: "info", status: 200, path: "/healthz" }))).toBe(dropped)
    const kept = event({ level: "info", status: 200, path: "/api" })
    expect(s(kept)).toBe(kept)
  })
})
