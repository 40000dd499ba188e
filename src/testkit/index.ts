/**
 * `wp-connector-api/testkit`: the conformance cases that prove a connector honours the contract of
 * the spec (resources released, idempotent shutdown, order kept, capabilities truthful, errors coded),
 * as plain Effects, plus the helpers connector tests, benchmarks and scripts need. Nothing here
 * imports a test runner: a plain `node` program can use it. The cases as vitest tests
 * (`sourceConformance`, `sinkConformance`) are in `wp-connector-api/testkit/vitest`.
 *
 * ```ts
 * import { Effect } from "effect"
 * import { freePort, SinkChecks } from "wp-connector-api/testkit"
 * const port = await Effect.runPromise(freePort)
 * await Effect.runPromise(SinkChecks.largeBatchKeepsOrder({ factory, spec, read, breakTarget: [] }))
 * ```
 *
 * @since 0.1.0
 */

// The cases (plain checks) and what they are told
export * as SinkChecks from "./sink-checks.js"
export * as SourceChecks from "./source-checks.js"
export type { Check } from "./check.js"
export { ConformanceFailure } from "./conformance-failure.js"
export type { InvalidSpec } from "./invalid-spec.js"
export type { Feed, FeedInput, SourceConformanceOptions, SourceExpectation, SourceSetup } from "./source-subject.js"
export type { BreakTarget, Read, SinkConformanceOptions, SinkPlace, SinkSetup } from "./sink-subject.js"
export type { Bounds } from "./clock.js"

// Helpers for connector tests, benchmarks and scripts
export { withTempWorkRoot } from "./work-root.js"
export { freePort } from "./ports.js"
export { collectBatches, type CollectOptions, runSourceFor, type RunSourceOptions } from "./run-source.js"
export { faultySink, type FaultySink, flakySource, type FlakySource, type SinkFaults, type SourceFaults } from "./faults.js"
export * as LeakWatch from "./leak-watch.js"
export * as OpenHandles from "./open-handles.js"
export * as PayloadMatch from "./payload-match.js"
export * as TestkitClock from "./clock.js"
