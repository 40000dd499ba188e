import { Effect, Option } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import {
  AsyncSink,
  ConnectorRegistry,
  DataSource,
  ParamMap,
  SinkError,
  SinkFactory,
  SourceError,
  SourceEvent,
  SourceFactory,
  Tags
} from "../../src/index.js"
import type { PipelineSpec } from "../../src/runtime/pipeline.js"
import type { SinkError as SinkErrorType, SourceError as SourceErrorType } from "../../src/index.js"

/** Shared observations of the test connectors. */
export interface Lab {
  /** Tokens acked by the `seq` sources, by source name, in the order acked. */
  readonly acked: Map<string, Array<number>>
  /** Tokens passed to the `ackUpTo` of `seq` sources with `cumulative = true`, in order. */
  readonly ackedUpTo: Map<string, Array<number>>
  /** Tokens whose `ackUpTo` failed (`fail_ack_at`), by source name. */
  readonly ackFailures: Map<string, Array<number>>
  /** What each `rec` sink wrote, by sink name. */
  readonly written: Map<string, Array<string>>
  /** How many lines each `rec` sink with `count_only = true` wrote (it keeps none of them). */
  readonly counted: Map<string, number>
  /** Write attempts per `rec` sink. */
  readonly attempts: Map<string, number>
  readonly reconnects: Map<string, number>
  /** Replica indexes each `rec` sink was built with. */
  readonly replicaIdx: Map<string, Array<number>>
  /** Sources that already failed once (`fail_once_at`). */
  readonly failedOnce: Set<string>
}

export const makeLab = (): Lab => ({
  acked: new Map(),
  ackedUpTo: new Map(),
  ackFailures: new Map(),
  written: new Map(),
  counted: new Map(),
  attempts: new Map(),
  reconnects: new Map(),
  replicaIdx: new Map(),
  failedOnce: new Set()
})

const push = <K, V>(m: Map<K, Array<V>>, k: K, ...v: Array<V>) => {
  const a = m.get(k)
  if (a === undefined) m.set(k, [...v])
  else a.push(...v)
}
const int = (pm: ParamMap.ParamMap, key: string, dflt: number): number => {
  const v = pm[key]
  return typeof v === "number" ? v : dflt
}

/**
 * `seq` source: `count` events `"<name>-<i>"` in batches of `batch`, tagged with the spec's tags,
 * ackable (tokens = ids). `count = -1` never ends; `delay_ms` waits between batches. With
 * `cumulative = true` it also has `ackUpTo`, whose tokens go to `lab.ackedUpTo` (`fail_ack_at` fails the
 * `ackUpTo` of that token).
 */
export const seqSource = (lab: Lab) =>
  SourceFactory.make({
    kind: "seq",
    build: (spec) =>
      Effect.gen(function*() {
        const count = int(spec.params, "count", 10)
        const batch = int(spec.params, "batch", 3)
        const delay = int(spec.params, "delay_ms", 0)
        const pad = int(spec.params, "pad", 0)
        const failOnceAt = int(spec.params, "fail_once_at", -1)
        const fatalAt = int(spec.params, "fatal_at", -1)
        const failAckAt = int(spec.params, "fail_ack_at", -1)
        const tags = yield* Tags.fromStrings(spec.tags)
        const filler = "x".repeat(pad)
        let next = 0
        const source = DataSource.make({
          identifier: `seq:${spec.name}`,
          receive: Effect.suspend((): Effect.Effect<Array<SourceEvent.SourceEvent>, SourceErrorType> => {
            if (count >= 0 && next >= count) return Effect.fail(SourceError.eof())
            if (next === failOnceAt && !lab.failedOnce.has(spec.name)) {
              lab.failedOnce.add(spec.name)
              return Effect.fail(SourceError.disconnect("upstream went away"))
            }
            if (next === fatalAt) return Effect.fail(SourceError.supplierError("bad record"))
            const end = count < 0 ? next + batch : Math.min(count, next + batch)
            const events: Array<SourceEvent.SourceEvent> = []
            for (; next < end; next++) {
              events.push(SourceEvent.make({ eventId: next, srcKey: spec.name, payload: pad > 0 ? `${spec.name}-${next}${filler}` : `${spec.name}-${next}`, tags, ackToken: next }))
            }
            return delay > 0 ? Effect.as(Effect.sleep(delay), events) : Effect.succeed(events)
          }),
          ack: (token) => Effect.sync(() => push(lab.acked, spec.name, token as number)),
          seek: (position) =>
            position._tag === "Offset"
              ? Effect.sync(() => void (next = position.offset))
              : Effect.fail(SourceError.supplierError(`seq cannot seek to ${position._tag}`)),
          ackBatch: (tokens) => Effect.sync(() => push(lab.acked, spec.name, ...(tokens as Array<number>))),
          ackUpTo: spec.params["cumulative"] === true
            ? (token) =>
              token === failAckAt
                ? Effect.zipRight(
                  Effect.sync(() => push(lab.ackFailures, spec.name, token)),
                  Effect.fail(SourceError.disconnect(`ack of ${String(token)} lost`))
                )
                : Effect.sync(() => push(lab.ackedUpTo, spec.name, token as number))
            : undefined
        })
        return SourceFactory.withSources(SourceFactory.svcIns, [SourceFactory.handle(source, SourceFactory.meta(spec.name, "seq"))])
      })
  })

/**
 * `rec` sink: records what it writes. `fail_first` write attempts fail with a retryable error;
 * `fail_always = true` always fails (retryable); `fatal = true` always fails, not retryable;
 * `delay_ms` per batch; `count_only = true` counts the lines in `lab.counted` instead of keeping them.
 */
export const recSink = (lab: Lab) =>
  SinkFactory.make({
    kind: "rec",
    build: (spec, ctx) =>
      Effect.sync(() => {
        push(lab.replicaIdx, spec.name, ctx.replicaIdx)
        const failFirst = int(spec.params, "fail_first", 0)
        const failAlways = spec.params["fail_always"] === true
        const fatal = spec.params["fatal"] === true
        const delay = int(spec.params, "delay_ms", 0)
        const countOnly = spec.params["count_only"] === true
        const write = (lines: ReadonlyArray<string>) =>
          Effect.suspend((): Effect.Effect<void, SinkErrorType> => {
            const n = (lab.attempts.get(spec.name) ?? 0) + 1
            lab.attempts.set(spec.name, n)
            if (fatal) return Effect.fail(SinkError.stgCtrl("disk quota exceeded"))
            if (failAlways || n <= failFirst) return Effect.fail(SinkError.sendError("connection refused"))
            if (countOnly) lab.counted.set(spec.name, (lab.counted.get(spec.name) ?? 0) + lines.length)
            else push(lab.written, spec.name, ...lines)
            return Effect.void
          }).pipe(Effect.delay(delay))
        return SinkFactory.handle(AsyncSink.make({
          identifier: spec.name,
          sinkStr: (s) => write([s]),
          sinkStrBatch: write,
          reconnect: Effect.sync(() => lab.reconnects.set(spec.name, (lab.reconnects.get(spec.name) ?? 0) + 1))
        }))
      })
  })

/** A registry with `seq` and `rec`. */
export const labRegistry = (lab: Lab) =>
  ConnectorRegistry.fromConnectors(
    ConnectorRegistry.register({ kind: "seq", source: seqSource(lab) }),
    ConnectorRegistry.register({ kind: "rec", sink: recSink(lab) })
  )

/** A source entry of a pipeline. */
export const src = (name: string, params: ParamMap.ParamMap, tags: ReadonlyArray<string> = []) => ({
  spec: { name, kind: "seq", connectorId: "seq", params, tags },
  enabled: true
})

/** A sink entry of a group. */
export const snk = (group: string, name: string, params: ParamMap.ParamMap = {}, options: { filter?: string; replicaCnt?: number; rps?: number; kind?: string } = {}) => ({
  spec: {
    group,
    name,
    kind: options.kind ?? "rec",
    connectorId: options.kind ?? "rec",
    params,
    filter: options.filter === undefined ? Option.none() : Option.some(options.filter)
  },
  replicaCnt: options.replicaCnt ?? 1,
  rateLimitRps: options.rps ?? 0
})

/** A pipeline under `workRoot`. */
export const pipeline = (
  workRoot: string,
  sources: PipelineSpec["sources"],
  groups: ReadonlyArray<{ name: string; filter?: string; sinks: PipelineSpec["groups"][number]["sinks"] }>
): PipelineSpec => ({
  workRoot,
  sources,
  groups: groups.map((g) => ({ name: g.name, filter: g.filter === undefined ? Option.none() : Option.some(g.filter), sinks: g.sinks }))
})

const scratchDirs: Array<string> = []

/** A fresh directory under the OS temp dir named `<prefix>*`, removed by `removeScratch` (call it in `afterAll`). */
export const scratch = (prefix: string): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  scratchDirs.push(dir)
  return dir
}

/** Removes every directory `scratch` made so far. */
export const removeScratch = (): void => {
  for (const dir of scratchDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
}
