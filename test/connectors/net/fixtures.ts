import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Duration, Effect, Exit, Scope } from "effect"
import * as DiskIntake from "../../../src/connectors/net/disk-intake.js"
import { SourceEvent, Tags } from "../../../src/index.js"

/** A fresh temporary directory, removed when the Scope closes. */
export const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "wpc-intake-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/** Options of a test intake in `dir`, with `overrides`. */
export const options = (dir: string, overrides: Partial<DiskIntake.Options> = {}): DiskIntake.Options => ({
  dir,
  what: "test source t",
  srcKey: "t",
  maxBytes: 64 << 20,
  fsync: true,
  queueEvents: 4096,
  queueBytes: 64 << 20,
  eof: "test source t stopped",
  ...overrides
})

/** An intake opened in its own Scope; `close` closes that Scope (what a clean stop does). */
export const openIntake = (opts: DiskIntake.Options) =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const intake = yield* Scope.extend(DiskIntake.make(opts), scope)
    return { intake, close: Scope.close(scope, Exit.void) }
  })

/** Events of `payloads` as a producer builds them (ids are replaced by the intake's numbers). */
export const events = (payloads: ReadonlyArray<string | Uint8Array>, tags: Tags.Tags = Tags.empty, upsIp?: string) =>
  payloads.map((payload, i) => SourceEvent.make({ eventId: i, srcKey: "t", payload, tags, upsIp }))

/** `n` numbered text payloads `prefix-0` ... */
export const numbered = (prefix: string, n: number, from = 0) => Array.from({ length: n }, (_, i) => `${prefix}-${from + i}`)

/** Takes events until `n` arrived (each take bounded by a timeout). */
export const takeN = (intake: DiskIntake.DiskIntake, n: number, max = 1000) =>
  Effect.gen(function*() {
    const out: Array<SourceEvent.SourceEvent> = []
    while (out.length < n) {
      const batch = yield* intake.take(Math.min(max, n - out.length)).pipe(
        Effect.timeoutFail({ duration: Duration.seconds(10), onTimeout: () => new Error(`only ${out.length} of ${n} events arrived`) })
      )
      out.push(...batch)
    }
    return out
  })

/** The text of a payload. */
export const text = (e: SourceEvent.SourceEvent) => (typeof e.payload === "string" ? e.payload : Buffer.from(e.payload).toString())

/** The segment files in `dir`, in order. */
export const segmentFiles = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith(".wal")).sort()
