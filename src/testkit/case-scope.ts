/**
 * `inScope`: runs a step of a case in a Scope of its own, then closes that Scope within a bound;
 * a finalizer that fails or dies, or a close that hangs, fails the case.
 *
 * @since 0.1.0
 */
import { Cause, type Duration, Effect, Exit, Scope } from "effect"
import { describeCause } from "../errors/describe.js"
import * as Clock from "./clock.js"
import * as ConformanceFailure from "./conformance-failure.js"

/** Runs `body` in a new Scope and closes it within `closeWithin`; returns what `body` returned. */
export const inScope = <A>(
  check: string,
  closeWithin: Duration.DurationInput,
  body: Effect.Effect<A, ConformanceFailure.ConformanceFailure, Scope.Scope>
): Effect.Effect<A, ConformanceFailure.ConformanceFailure> =>
  Effect.gen(function*() {
    const scope = yield* Scope.make()
    const exit = yield* Effect.exit(Scope.extend(body, scope))
    const closed = yield* Clock.within(Effect.exit(Scope.close(scope, exit)), closeWithin, check, "closing the scope")
    if (Exit.isFailure(closed)) {
      return yield* ConformanceFailure.make(check, `a finalizer failed while the scope closed: ${describeCause(Cause.squash(closed.cause))}`)
    }
    return yield* exit
  })
