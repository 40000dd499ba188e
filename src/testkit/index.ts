/**
 * `wp-connector-api/testkit`: a conformance suite that proves a connector honours the contract of
 * the spec (resources released, idempotent shutdown, order kept, capabilities truthful, errors coded),
 * built on @effect/vitest, plus the helpers connector tests need.
 *
 * ```ts
 * import { sinkConformance, sourceConformance } from "wp-connector-api/testkit"
 * sourceConformance("my source", { factory, spec, expect: { payloads: ["a", "b", "c"] } })
 * sinkConformance("my sink", { factory: sinkFactory, spec: sinkSpec, read })
 * ```
 *
 * @since 0.1.0
 */

// The suites (registration) and their cases (plain checks)
export { sinkConformance } from "./sink-conformance.js"
export { sourceConformance } from "./source-conformance.js"
export * as SinkChecks from "./sink-checks.js"
export * as SourceChecks from "./source-checks.js"
export { ConformanceFailure } from "./conformance-failure.js"
export type { InvalidSpec } from "./invalid-spec.js"
export type { Feed, FeedInput, SourceConformanceOptions, SourceExpectation, SourceSetup } from "./source-subject.js"
export type { Read, SinkConformanceOptions, SinkPlace, SinkSetup } from "./sink-subject.js"
export type { Bounds } from "./clock.js"

// Helpers for connector tests
export { withTempWorkRoot } from "./work-root.js"
export { freePort } from "./ports.js"
export { collectBatches, type CollectOptions, runSourceFor, type RunSourceOptions } from "./run-source.js"
export { faultySink, type FaultySink, flakySource, type FlakySource, type SinkFaults, type SourceFaults } from "./faults.js"
export * as OpenHandles from "./open-handles.js"
export * as PayloadMatch from "./payload-match.js"
export * as TestkitClock from "./clock.js"
