/**
 * The `file` source (work in progress).
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import * as ParamMap from "../../config/param.js"
import { SourceError } from "../../errors/source.js"
import * as SourceFactory from "../../source/factory.js"
import { kind, SourceParams } from "./params.js"

/** The `file` source factory. */
export const factory: SourceFactory.SourceFactory = SourceFactory.make({
  kind,
  validateSpec: (spec) => Effect.asVoid(ParamMap.decodeParams(SourceParams, spec.params)),
  build: (spec) =>
    Effect.flatMap(ParamMap.decodeParams(SourceParams, spec.params), () =>
      Effect.fail(SourceError.other("file source: not implemented yet")))
})
