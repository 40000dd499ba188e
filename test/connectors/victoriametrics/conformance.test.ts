/**
 * The testkit's sink conformance cases against a real victoria-metrics. The sink's raw payloads are
 * JSON import lines (its `format` is `json`), its records become samples (`seq` the value and the time,
 * `msg` a label); `read` gives back every sample of the case as the canonical JSON import line, in time
 * order. A time-series store keeps samples by series and time, not in write order, so six cases do not
 * apply, each replaced by a case of sink.test.ts:
 * - `singleAgreesWithBatch`, `readableOnReturn`: they write the same payload several times and expect the
 *   copies back in write order; two copies of one sample are the same series and time, which no read can
 *   put in write order. ("each write is in the server when it returns", with distinct samples.)
 * - `largeBatchKeepsOrder`, `stopMidBatch`: their payloads are the given ones with ` #<n>` appended, which
 *   is no sample in either format. ("a large batch among small ones keeps every sample", "stop during a
 *   large write".)
 * - `bytesRoundTrip`: bytes that are not UTF-8 are no sample; the sink refuses them ("bytes that are not
 *   UTF-8 fail the write").
 * - `recordEncoderAgrees`: it writes the same records three times (encoded, joined, in bytes) and expects
 *   the copies in write order. ("records through the encoder (texts, joined texts, bytes in chunks) are
 *   the samples sinkRecords writes", with distinct records down each path.)
 */
import { afterAll, beforeAll } from "@effect/vitest"
import { Effect, Exit, Option, Scope } from "effect"
import * as Vm from "../../../src/connectors/victoriametrics/index.js"
import { DataRecord, SinkFactory } from "../../../src/index.js"
import { SinkChecks } from "../../../src/testkit/index.js"
import type { SinkConformanceOptions } from "../../../src/testkit/sink-subject.js"
import { register } from "../../../src/testkit/vitest.js"
import { type Exported, type VmServer, vmServer } from "./server.js"

const serverScope = Effect.runSync(Scope.make())
let running: VmServer | undefined
beforeAll(() => Effect.runPromise(Effect.map(Scope.extend(vmServer, serverScope), (s) => void (running = s))), 30_000)
afterAll(() => Effect.runPromise(Scope.close(serverScope, Exit.void)))

const server = Effect.suspend(() => (running === undefined ? Effect.die(new Error("victoria-metrics is not running")) : Effect.succeed(running)))

const t0 = 1_700_000_000_000

/** Distinct samples as canonical JSON import lines, some labels non-ASCII or escaped, each at its own time. */
const payloads = ["alpha", "beta 2", "gamma=3 \"quoted\"", "δέλτα ünïcödé", "epsilon\twith tab", "zeta 😀", "eta \\ back", "theta"].map((p, i) =>
  Vm.VictoriaMetricsEncode.jsonLine({ name: "conf", labels: [["p", p]], value: String(i * 1.5), timestamp: t0 + i })
)

/** The line `read` gives back for a sample. */
const lineOf = (s: Exported): string =>
  Vm.VictoriaMetricsEncode.jsonLine({ name: s.name, labels: Object.entries(s.labels), value: String(s.value), timestamp: s.timestamp })

/** A record of the suite (`seq`, `msg`) as the sample the sink makes of it: value and time `seq`, label `msg`. */
const encodeRecord = (record: DataRecord.DataRecord): string => {
  const seq = Number(Option.getOrThrow(Option.flatMap(DataRecord.get(record, "seq"), (v) => (v._tag === "Chars" ? Option.some(v.value) : Option.none()))))
  const msg = Option.getOrThrow(Option.flatMap(DataRecord.get(record, "msg"), (v) => (v._tag === "Chars" ? Option.some(v.value) : Option.none())))
  return Vm.VictoriaMetricsEncode.jsonLine({ name: "seq", labels: [["msg", msg]], value: String(seq), timestamp: seq })
}

let cases = 0

const spec = (params: Record<string, unknown>): SinkFactory.ResolvedSinkSpec => ({
  group: "conformance",
  name: "vm",
  kind: Vm.kind,
  connectorId: "victoriametrics_sink",
  params: params as SinkFactory.ResolvedSinkSpec["params"],
  filter: Option.none()
})

const options: SinkConformanceOptions = {
  factory: Vm.VictoriaMetricsSink.factory,
  // what the server accepted becomes searchable within about a second (force_flush can miss rows it is converting)
  delivery: "eventual",
  payloads,
  encodeRecord,
  spec: Effect.gen(function*() {
    const s = yield* server
    const id = `conf-${++cases}`
    return {
      spec: spec({ insert_url: `${s.url}/api/v1/import`, fields: ["seq"], labels: ["msg"], timestamp_field: "seq", tags: [`case:${id}`] }),
      read: () =>
        Effect.map(s.samples(`{case="${id}"}`), (all) => all.map(({ labels: { case: _, ...labels }, ...rest }) => lineOf({ ...rest, labels }))),
      breakTarget: [{
        name: "server killed (SIGKILL)",
        run: () => Effect.acquireRelease(s.stop, () => Effect.orDie(s.start))
      }]
    }
  }),
  invalid: [
    { spec: spec({ insert_url: "ftp://127.0.0.1/x" }), code: 300, mentions: "params.insert_url" },
    { spec: spec({ metric: "{" }), code: 300, mentions: "params.metric" },
    { spec: spec({ insert_url: "http://127.0.0.1:1/api/v1/import" }), code: 202, mentions: "127.0.0.1:1" }
  ]
}

/** The cases that cannot apply to a time-series store (see the top of this file). */
const notApplicable = new Set([
  "sink.singleAgreesWithBatch",
  "sink.readableOnReturn",
  "sink.largeBatchKeepsOrder",
  "sink.stopMidBatch",
  "sink.bytesRoundTrip",
  "sink.recordEncoderAgrees"
])

register("victoriametrics: sink conformance", SinkChecks.all.filter((c) => !notApplicable.has(c.id)), options, 60_000)
