/**
 * `InvalidSpec`: a spec a factory must refuse, and the check that the refusal is a coded error
 * (a `ConfigError` 300 or a coded source/sink error), never a defect and never a success.
 *
 * @since 0.1.0
 */
import { Cause, type Duration, Effect, Exit, Option, type Scope } from "effect"
import { isCoded } from "../errors/coded.js"
import { describeCause } from "../errors/describe.js"
import * as Clock from "./clock.js"
import * as ConformanceFailure from "./conformance-failure.js"

/** A spec that `validateSpec` or `build` must refuse with a coded error, and what the error must say. */
export interface InvalidSpec<Spec> {
  readonly spec: Spec
  /** The error's code (default: every code is accepted). */
  readonly code?: number | undefined
  /** Text the error's message must contain (say, the name of the bad param). */
  readonly mentions?: string | undefined
}

/**
 * Checks the exit of validating and building `what`: it must be a failure whose error is coded,
 * with `invalid.code` and mentioning `invalid.mentions` when those are given.
 */
export const expectCodedRefusal = (
  check: string,
  what: string,
  invalid: Omit<InvalidSpec<unknown>, "spec">,
  exit: Exit.Exit<unknown, unknown>
): Effect.Effect<void, ConformanceFailure.ConformanceFailure> => {
  if (Exit.isSuccess(exit)) return ConformanceFailure.make(check, `${what} was accepted by validateSpec and build; expected a coded error`)
  const error = Cause.failureOption(exit.cause)
  if (Option.isNone(error)) {
    return ConformanceFailure.make(check, `${what} died instead of failing with a coded error: ${describeCause(Cause.squash(exit.cause))}`)
  }
  const e = error.value
  if (!isCoded(e)) return ConformanceFailure.make(check, `${what} failed with an error that carries no code: ${describeCause(e)}`)
  if (invalid.code !== undefined && e.code !== invalid.code) {
    return ConformanceFailure.make(check, `${what} failed with code ${e.code}, expected ${invalid.code}: ${describeCause(e)}`)
  }
  if (invalid.mentions !== undefined && !describeCause(e).includes(invalid.mentions)) {
    return ConformanceFailure.make(check, `${what} failed without mentioning ${JSON.stringify(invalid.mentions)}: ${describeCause(e)}`)
  }
  return Effect.void
}

/**
 * For each of `invalids`, in a Scope of its own: gets a build context from `ctx`, runs `attempt`
 * (validate then build) within `timeout`, and checks the refusal with `expectCodedRefusal`.
 */
export const refuseEach = <Spec extends { readonly params: unknown }, Ctx>(
  check: string,
  invalids: ReadonlyArray<InvalidSpec<Spec>>,
  timeout: Duration.DurationInput,
  ctx: Effect.Effect<Ctx, ConformanceFailure.ConformanceFailure, Scope.Scope>,
  attempt: (spec: Spec, ctx: Ctx) => Effect.Effect<unknown, unknown, Scope.Scope>
): Effect.Effect<void, ConformanceFailure.ConformanceFailure> =>
  Effect.forEach(invalids, (invalid, i) =>
    Effect.scoped(Effect.gen(function*() {
      const where = yield* ctx
      const exit = yield* Clock.within(Effect.exit(Effect.scoped(attempt(invalid.spec, where))), timeout, check, `building invalid spec #${i}`)
      yield* expectCodedRefusal(check, `invalid spec #${i} (params ${JSON.stringify(invalid.spec.params)})`, invalid, exit)
    })), { discard: true })
