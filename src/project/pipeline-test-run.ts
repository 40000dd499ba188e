/**
 * Running a `PipelineTest` without starting any connector: each event goes through its source's
 * processors (`ProcessorChain`, as the engine runs them) and then to every sink whose filters select it
 * (its group's and its own, both, as the engine routes). What came of it (the outputs per sink, the
 * failures and where their `on_error` sent them, the drops) is compared with what the test expects, and
 * every difference is named: where (`access/json output 1: record.status`), expected and actual.
 *
 * @since 0.2.0
 */
import { Effect, Either, Option } from "effect"
import type { ConfigError } from "../errors/config.js"
import * as DataRecord from "../model/record.js"
import * as RawData from "../model/raw.js"
import * as Tags from "../model/tags.js"
import * as ProcessorChain from "../processing/chain.js"
import type * as Processor from "../processing/processor.js"
import * as Filter from "../runtime/filter.js"
import * as SourceEvent from "../source/event.js"
import * as ExpectedValue from "./expected-value.js"
import type * as PipelineTest from "./pipeline-test.js"
import type { ResolvedProject } from "./project.js"

/** A sink as the tests route to it: `group/sink`, and its group's filter and its own, combined. */
export interface Route {
  readonly sink: string
  readonly filter: Filter.Filter
}

/** One way what came of an event differs from what its test expects. */
export type Difference = ExpectedValue.Difference

/** The outcome of one event: the differences (none when it passed). */
export interface EventResult {
  readonly event: PipelineTest.TestEvent
  readonly differences: ReadonlyArray<Difference>
}

/** The outcome of one test: each event's. */
export interface TestResult {
  readonly test: PipelineTest.PipelineTest
  readonly events: ReadonlyArray<EventResult>
}

/** `true` when no event of `result` has a difference. */
export const passed = (result: TestResult): boolean => result.events.every((e) => e.differences.length === 0)

/** The routes of `project`, in the order of its groups and sinks (a filter that does not parse is a `ConfigError`). */
export const routes = (project: ResolvedProject): Either.Either<ReadonlyArray<Route>, ConfigError> =>
  Either.gen(function*() {
    const out: Array<Route> = []
    for (const group of project.sinkGroups) {
      const groupFilter = Option.isSome(group.filter) ? yield* Filter.parse(group.filter.value, `sink_group[${group.name}].filter`) : Filter.always
      for (const sink of group.sinks) {
        const own = sink.spec.filter
        const sinkFilter = Option.isSome(own) ? yield* Filter.parse(own.value, `sink_group[${group.name}].sinks[${sink.spec.name}].filter`) : Filter.always
        out.push({ sink: `${group.name}/${sink.spec.name}`, filter: Filter.and(groupFilter, sinkFilter) })
      }
    }
    return out
  })

/** A processor failure as the test sees it. */
interface Failure {
  readonly processor: string
  readonly code: number
  readonly message: string
  readonly onError: Processor.OnError
}

/** What came of one event. */
interface Actual {
  readonly outputs: ReadonlyMap<string, ReadonlyArray<SourceEvent.SourceEvent>>
  readonly failures: ReadonlyArray<Failure>
  readonly dropped: boolean
}

const codeOf = (message: string): number => Number(/^\[(\d+) /.exec(message)?.[1] ?? 540)

/** What came of `input`, from the chain's `result`, routed over `routes`. */
const actualOf = (input: SourceEvent.SourceEvent, result: ProcessorChain.Result, routes: ReadonlyArray<Route>): Actual => {
  const failures: Array<Failure> = [
    ...result.rescue.map((f) => ({ processor: f.processor.name, code: f.error.code, message: f.error.message, onError: "rescue" as const })),
    ...result.dropped.map((f) => ({ processor: f.processor.name, code: f.error.code, message: f.error.message, onError: "drop" as const }))
  ]
  const passedBefore = Tags.getOrUndefined(input.tags, ProcessorChain.errorProcessorTag)
  const seen = new Set<string>()
  for (const e of result.events) {
    const processor = Tags.getOrUndefined(e.tags, ProcessorChain.errorProcessorTag)
    const message = Tags.getOrUndefined(e.tags, ProcessorChain.errorTag) ?? ""
    if (processor === undefined || processor === passedBefore || seen.has(`${processor}\n${message}`)) continue
    seen.add(`${processor}\n${message}`)
    failures.push({ processor, code: codeOf(message), message, onError: "pass" })
  }
  const droppedByRule = result.counts.reduce((n, c) => n + c.dropped, 0) - result.dropped.length
  const outputs = new Map<string, Array<SourceEvent.SourceEvent>>()
  for (const route of routes) {
    const selected = result.events.filter((e) => Filter.matches(route.filter, e))
    if (selected.length > 0) outputs.set(route.sink, selected)
  }
  return { outputs, failures, dropped: droppedByRule > 0 }
}

const describeFailure = (f: Failure): string => `${f.message} (processor ${f.processor}, on_error ${f.onError})`

const describeExpectedError = (e: PipelineTest.ExpectedError): string => {
  const parts = [
    e.code === undefined ? undefined : `code ${e.code}`,
    e.message === undefined ? undefined : `message containing ${JSON.stringify(e.message)}`,
    e.processor === undefined ? undefined : `processor ${e.processor}`,
    e.onError === undefined ? undefined : `on_error ${e.onError}`
  ].filter((p): p is string => p !== undefined)
  return parts.length === 0 ? "an error" : `an error: ${parts.join(", ")}`
}

const matchesError = (e: PipelineTest.ExpectedError, f: Failure): boolean =>
  (e.code === undefined || e.code === f.code) &&
  (e.message === undefined || f.message.includes(e.message)) &&
  (e.processor === undefined || e.processor === f.processor) &&
  (e.onError === undefined || e.onError === f.onError)

/** An event that reached a sink, as a diff shows it: its record as JSON, or its payload. */
const describeOutput = (e: SourceEvent.SourceEvent): string =>
  e.record !== undefined ? `record ${DataRecord.toJsonText(e.record)}` : `payload ${JSON.stringify(RawData.text(e.payload))}`

const describeExpectedOutput = (o: PipelineTest.ExpectedOutput): string => {
  const fields = (r: PipelineTest.ExpectedRecord) => `{${r.fields.map(([k, v]) => `${JSON.stringify(k)}:${ExpectedValue.show(v)}`).join(", ")}}`
  const parts = [
    o.record === undefined ? undefined : `${o.record.exact ? "record" : "fields"} ${fields(o.record)}`,
    o.payload === undefined ? undefined : `payload ${JSON.stringify(o.payload)}`,
    o.tags === undefined ? undefined : `tags ${JSON.stringify(Tags.toStrings(o.tags))}`
  ].filter((p): p is string => p !== undefined)
  return parts.length === 0 ? "an event" : parts.join(", ")
}

/** The differences between an expected output and the event that reached its sink in its place. */
const compareOutput = (o: PipelineTest.ExpectedOutput, e: SourceEvent.SourceEvent, label: string, out: Array<Difference>): void => {
  const inner: Array<Difference> = []
  if (o.record !== undefined) {
    if (e.record === undefined) {
      inner.push({ at: "record", expected: "a record", actual: `no record (payload ${JSON.stringify(RawData.text(e.payload))})`, hint: "put a parser among the source's processors" })
    } else {
      ExpectedValue.compareEntries(o.record.fields, e.record.fields.map((f) => [f.name, f.value] as const), "record", o.record.exact, inner)
    }
  }
  if (o.payload !== undefined && RawData.text(e.payload) !== o.payload) {
    inner.push({ at: "payload", expected: JSON.stringify(o.payload), actual: JSON.stringify(RawData.text(e.payload)) })
  }
  for (const [key, value] of o.tags ?? Tags.empty) {
    const actual = Tags.getOrUndefined(e.tags, key)
    if (actual !== value) inner.push({ at: `tags.${key}`, expected: JSON.stringify(value), actual: actual === undefined ? "(no such tag)" : JSON.stringify(actual) })
  }
  for (const d of inner) out.push({ ...d, at: `${label}: ${d.at}` })
}

/** Every difference between `actual` and what `event` expects: its error, its drop, then its outputs sink by sink. */
const differences = (event: PipelineTest.TestEvent, actual: Actual, routes: ReadonlyArray<Route>): ReadonlyArray<Difference> => {
  const out: Array<Difference> = []
  let failures = actual.failures
  if (event.error !== undefined) {
    const expected = event.error
    const match = failures.find((f) => matchesError(expected, f))
    if (match === undefined) {
      out.push({
        at: "error",
        expected: describeExpectedError(expected),
        actual: failures.length === 0 ? "no error" : failures.map(describeFailure).join("; ")
      })
      failures = []
    } else failures = failures.filter((f) => f !== match)
  }
  for (const f of failures) out.push({ at: "error", expected: "no error", actual: describeFailure(f) })
  if (event.dropped !== undefined && event.dropped !== actual.dropped) {
    out.push({
      at: "dropped",
      expected: event.dropped ? "dropped by a processor" : "not dropped",
      actual: actual.dropped ? "dropped by a processor" : "not dropped"
    })
  }
  const sinks = [...new Set([...routes.map((r) => r.sink), ...event.outputs.map((o) => o.sink)])]
  for (const sink of sinks) {
    const expected = event.outputs.filter((o) => o.sink === sink)
    const got = actual.outputs.get(sink) ?? []
    for (let k = 0; k < Math.max(expected.length, got.length); k++) {
      const label = `${sink} output ${k + 1}`
      const o = expected[k]
      const e = got[k]
      if (o === undefined) out.push({ at: label, expected: "(nothing)", actual: describeOutput(e!) })
      else if (e === undefined) {
        out.push({ at: label, expected: describeExpectedOutput(o), actual: "(nothing)", hint: got.length === 0 ? "the sink's filters may not select it" : undefined })
      } else compareOutput(o, e, label, out)
    }
  }
  return out
}

/** Runs `test`: each event alone (a batch of one) through its source's processors, then over `routes`. */
export const run = (test: PipelineTest.PipelineTest, routes: ReadonlyArray<Route>): Effect.Effect<TestResult> =>
  Effect.map(
    Effect.forEach(test.events, (event, i) => {
      const input = SourceEvent.make({ eventId: i, srcKey: test.source.spec.name, payload: event.payload, tags: event.tags })
      return Effect.map(ProcessorChain.process(test.source.processors, [input]), (result): EventResult => ({
        event,
        differences: differences(event, actualOf(input, result, routes), routes)
      }))
    }),
    (events) => ({ test, events })
  )
