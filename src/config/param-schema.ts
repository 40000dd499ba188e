/**
 * `ParamSchema`: what a connector's params Schema says of the connector's definitions, so that each is
 * written once, in the Schema: the default params (every key the Schema has a default for, encoded as a
 * definition writes it) and the keys a source or sink may override (every key of the Schema, except
 * those marked with `FixedParam.fixed`).
 *
 * @since 0.1.0
 */
import { Option, Schema, type SchemaAST } from "effect"
import * as FixedParam from "./fixed-param.js"
import * as ParamMap from "./param.js"

/** The transformation that fills in a struct's defaults (looking through refinements and suspensions), if it has one. */
const defaulting = (ast: SchemaAST.AST): SchemaAST.Transformation | undefined => {
  switch (ast._tag) {
    case "Transformation":
      return ast.transformation._tag === "TypeLiteralTransformation" ? ast : defaulting(ast.from)
    case "Refinement":
      return defaulting(ast.from)
    case "Suspend":
      return defaulting(ast.f())
    default:
      return undefined
  }
}

/** Checks that the encoded defaults are a parameter table (JSON values). */
const toParamMap = Schema.decodeUnknownSync(ParamMap.schema)

/**
 * The default params of `schema`: each key it fills in when the key is missing (`Schema.optionalWith(X,
 * { default })`), with its default encoded, as a definition's `params` holds it. Keys without a default
 * are left out. Throws when a default does not encode to JSON (a bug of the Schema, found at load).
 */
export const defaults = (schema: Schema.Schema.Any): ParamMap.ParamMap => {
  const ast = defaulting(schema.ast)
  const from = ast === undefined ? undefined : ParamMap.structOf(ast.from)
  if (ast === undefined || from === undefined || ast.transformation._tag !== "TypeLiteralTransformation") return ParamMap.empty
  const out: Record<string, unknown> = {}
  for (const field of ast.transformation.propertySignatureTransformations) {
    const value = field.decode(Option.none())
    const property = from.propertySignatures.find((p) => p.name === field.from)
    if (Option.isNone(value) || property === undefined || typeof field.from !== "string") continue
    out[field.from] = Schema.encodeUnknownSync(Schema.make(property.type))(value.value)
  }
  return toParamMap(out)
}

/** The keys of `schema` a source or sink may override, in the Schema's order: all but those marked `FixedParam.fixed`. */
export const overridable = (schema: Schema.Schema.Any): ReadonlyArray<string> => {
  const struct = ParamMap.structOf(schema.ast)
  if (struct === undefined) return []
  return struct.propertySignatures.flatMap((p) => typeof p.name === "string" && !FixedParam.isFixed(p) ? [p.name] : [])
}
