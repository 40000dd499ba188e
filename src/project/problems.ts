/**
 * `Problems`: the configuration errors found while loading a project, collected instead of stopping
 * at the first, so one run reports every problem.
 *
 * @since 0.1.0
 */
import { Effect, Option } from "effect"
import type { ConfigError } from "../errors/config.js"

/** A collector of `ConfigError`s (and of warnings, located the same way), in the order they were found. */
export interface Problems {
  /** Records problems. */
  readonly add: (...errors: ReadonlyArray<ConfigError>) => void
  /** Records warnings: what is accepted but has no effect here; they do not fail the load. */
  readonly warn: (...warnings: ReadonlyArray<ConfigError>) => void
  /** The warnings recorded so far. */
  readonly warnings: () => ReadonlyArray<ConfigError>
  /** Runs `effect`; a failure is recorded (placed by `place`) and gives `none`. */
  readonly attempt: <A>(
    effect: Effect.Effect<A, ConfigError>,
    place?: (error: ConfigError) => ConfigError
  ) => Effect.Effect<Option.Option<A>>
  /** Everything recorded so far. */
  readonly all: () => ReadonlyArray<ConfigError>
}

/** An empty collector. */
export const make = (): Problems => {
  const found: Array<ConfigError> = []
  const warned: Array<ConfigError> = []
  const add = (...errors: ReadonlyArray<ConfigError>) => void found.push(...errors)
  return {
    add,
    warn: (...warnings) => void warned.push(...warnings),
    warnings: () => warned.slice(),
    attempt: (effect, place = (e) => e) =>
      Effect.matchEffect(effect, {
        onFailure: (e) => Effect.as(Effect.sync(() => add(place(e))), Option.none()),
        onSuccess: (a) => Effect.succeed(Option.some(a))
      }),
    all: () => found.slice()
  }
}
