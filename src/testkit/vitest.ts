/**
 * `wp-connector-api/testkit/vitest`: the conformance suites as @effect/vitest tests. Needs `vitest`
 * and `@effect/vitest` (optional peer dependencies) and runs only inside vitest; the cases
 * themselves, their option types and the helpers are in `wp-connector-api/testkit`, which needs no
 * test runner.
 *
 * ```ts
 * import { sinkConformance, sourceConformance } from "wp-connector-api/testkit/vitest"
 * sourceConformance("my source", { factory, spec, expect: { payloads: ["a", "b", "c"] } })
 * sinkConformance("my sink", { factory: sinkFactory, spec: sinkSpec, read, breakTarget })
 * ```
 *
 * @since 0.1.0
 */
export { register } from "./register.js"
export { sinkConformance } from "./sink-conformance.js"
export { sourceConformance } from "./source-conformance.js"
