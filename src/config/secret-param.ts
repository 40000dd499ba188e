/**
 * `SecretParam`: the annotation a connector's params Schema puts on a secret field (a password, a
 * token), so that `wpc` masks its value by what the Schema says, not by what the key looks like.
 *
 * @since 0.1.0
 */
import type { Schema, SchemaAST } from "effect"
import { structOf } from "./param.js"
import * as ParamMark from "./param-mark.js"

/** The annotation id marking a param as secret. */
export const SecretParamId: unique symbol = Symbol.for("wp-connector-api/SecretParam")

/** `schema` marked as a secret param: `password: Schema.optional(SecretParam.secret(Schema.NonEmptyString))`. */
export const secret = <A, I, R>(schema: Schema.Schema<A, I, R>): Schema.Schema<A, I, R> =>
  schema.annotations({ [SecretParamId]: true })

/** The struct of a field's type, looking through the `undefined` of an optional one. */
const nestedStruct = (ast: SchemaAST.AST): SchemaAST.TypeLiteral | undefined => {
  if (ast._tag !== "Union") return structOf(ast)
  const members = ast.types.filter((member) => member._tag !== "UndefinedKeyword")
  return members.length === 1 ? structOf(members[0]!) : undefined
}

/** What a params Schema says of one key: a secret, a nested table with its own fields, plain, or nothing (not declared). */
export type Field =
  | { readonly _tag: "Secret" }
  | { readonly _tag: "Table"; readonly struct: SchemaAST.TypeLiteral }
  | { readonly _tag: "Plain" }
  | { readonly _tag: "Undeclared" }

/** What the struct `struct` says of `key`. */
export const field = (struct: SchemaAST.TypeLiteral, key: string): Field => {
  const property = struct.propertySignatures.find((p) => p.name === key)
  if (property === undefined) return { _tag: "Undeclared" }
  if (ParamMark.has(property, SecretParamId)) return { _tag: "Secret" }
  const nested = nestedStruct(property.type)
  return nested === undefined ? { _tag: "Plain" } : { _tag: "Table", struct: nested }
}

/** The struct of a params Schema, where its fields are looked up (`undefined` when it is not a struct). */
export const fieldsOf = (schema: Schema.Schema.Any): SchemaAST.TypeLiteral | undefined => structOf(schema.ast)
