/**
 * The `file` sink (work in progress).
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import * as ParamMap from "../../config/param.js"
import { SinkError } from "../../errors/sink.js"
import * as SinkFactory from "../../sink/factory.js"
import { kind, SinkParams } from "./params.js"

/** The `file` sink factory. */
export const factory: SinkFactory.SinkFactory = SinkFactory.make({
  kind,
  validateSpec: (spec) => Effect.asVoid(ParamMap.decodeParams(SinkParams, spec.params)),
  build: (spec) =>
    Effect.flatMap(ParamMap.decodeParams(SinkParams, spec.params), () =>
      Effect.fail(SinkError.sink("file sink: not implemented yet")))
})
