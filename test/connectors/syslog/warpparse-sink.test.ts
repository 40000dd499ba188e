/**
 * A syslog sink definition as WarpParse writes it (`addr`, `port`, `protocol`, `app_name`): accepted, and
 * `app_name` is the APP-NAME of what it sends (over `app`).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Syslog from "../../../src/connectors/syslog/index.js"
import { ParamMap } from "../../../src/index.js"

const at = Date.UTC(2026, 10, 28, 12)

describe("syslog sink: WarpParse's definition", () => {
  it.effect("addr, port, protocol and app_name decode; app_name is the APP-NAME, over app", () =>
    Effect.gen(function*() {
      const params = yield* ParamMap.decodeParams(Syslog.SinkParams, { addr: "127.0.0.1", port: 1514, protocol: "udp", app_name: "wparse", app: "other" })
      expect(params).toMatchObject({ addr: "127.0.0.1", port: 1514, protocol: "udp", app_name: "wparse" })
      expect(Syslog.SyslogEncoder.make(params, "box").texts(["x"], at)).toEqual(["<14>1 2026-11-28T12:00:00.000Z box wparse - - - x"])
    }))

  it.effect("an app_name that is no header token is refused at app_name", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(ParamMap.decodeParams(Syslog.SinkParams, { app_name: "two words" }))
      expect(error.path).toBe("params.app_name")
    }))
})
