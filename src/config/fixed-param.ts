/**
 * `FixedParam`: the annotation a connector's params Schema puts on a field that a source or sink may
 * not override, so that a built-in definition leaves its key out of `allow_override` (see `ParamSchema`).
 *
 * @since 0.1.0
 */
import type { Schema, SchemaAST } from "effect"
import * as ParamMark from "./param-mark.js"

/** The annotation id marking a param as fixed. */
export const FixedParamId: unique symbol = Symbol.for("wp-connector-api/FixedParam")

/** `schema` marked fixed: `mode: Schema.optionalWith(FixedParam.fixed(Mode), { default: () => "safe" })`. */
export const fixed = <A, I, R>(schema: Schema.Schema<A, I, R>): Schema.Schema<A, I, R> =>
  schema.annotations({ [FixedParamId]: true })

/** Whether the field `property` of a params struct is marked fixed (on itself or its type). */
export const isFixed = (property: SchemaAST.PropertySignature): boolean => ParamMark.has(property, FixedParamId)
