/**
 * `ProcessorKind`: a kind of processor (`json`, `regex`, `set`, ...): its params Schema and how a
 * processor of that kind is made from decoded params. The project's `[[processors]]` entries are built
 * through it, so a processor's params are checked like a connector's (unknown keys are errors, with a
 * did-you-mean, naming `processors[i].params.<key>`).
 *
 * @since 0.2.0
 */
import { Effect, Schema } from "effect"
import * as ParamMap from "../config/param.js"
import type { ConfigError } from "../errors/config.js"
import * as Processor from "./processor.js"

/** What building a processor may need besides its params: the work root (for files it reads). */
export interface ProcessorBuildCtx {
  readonly workRoot: string
}

/** A kind of processor: name, params Schema, and `make`, which returns the processor's step. */
export interface ProcessorKind {
  readonly kind: string
  /** The Schema of its params (a `Schema.Struct`): defaults, refinements, and the keys it takes. */
  readonly params: Schema.Schema.Any
  /** A one-line description, for `wpc processors` and docs. */
  readonly description: string
  /** Builds a processor named `name` from the raw params (decoded here) and the `on_error` choice. */
  readonly build: (
    options: { readonly name: string; readonly onError: Processor.OnError; readonly params: ParamMap.ParamMap; readonly where: string },
    ctx: ProcessorBuildCtx
  ) => Effect.Effect<Processor.Processor, ConfigError>
}

/** What a sync kind gives: its step, and the record fields it is known to produce (when fixed). */
export interface Built {
  readonly step: Processor.SyncStep
  readonly fields?: ReadonlyArray<string> | undefined
}

/**
 * A kind whose processors are synchronous steps: `make` gets the params decoded by `params` (a failure
 * names `<where>.params.<key>`) and returns the step, or fails with a `ConfigError` for a value the
 * Schema cannot judge alone (a regex that does not compile, a filter that does not parse).
 */
export const sync = <P, I>(options: {
  readonly kind: string
  readonly description: string
  readonly params: Schema.Schema<P, I>
  readonly make: (params: P, ctx: ProcessorBuildCtx, where: string) => Effect.Effect<Built, ConfigError>
}): ProcessorKind => ({
  kind: options.kind,
  params: options.params,
  description: options.description,
  build: ({ name, onError, params, where }, ctx) =>
    Effect.flatMap(ParamMap.decodeParams(options.params, params, `${where}.params`), (decoded) =>
      Effect.map(options.make(decoded, ctx, `${where}.params`), (built) =>
        Processor.sync({ name, kind: options.kind, onError, fields: built.fields }, built.step)))
})
