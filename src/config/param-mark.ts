/**
 * `ParamMark`: reads a mark (a `true` annotation, such as `SecretParam`'s or `FixedParam`'s) off one
 * field of a params struct: on the field itself, on its type, or on a member of its type's union (as
 * `Schema.optional` and `Schema.optionalWith` make).
 *
 * @since 0.1.0
 */
import { Option, SchemaAST } from "effect"

/** Whether `annotated` carries the mark `id`. */
const carries = (annotated: SchemaAST.Annotated, id: symbol): boolean =>
  Option.getOrElse(SchemaAST.getAnnotation<boolean>(annotated, id), () => false)

/** Whether the type `ast` carries the mark `id` (itself or a member of its union). */
export const typeHas = (ast: SchemaAST.AST, id: symbol): boolean =>
  carries(ast, id) || (ast._tag === "Union" && ast.types.some((member) => typeHas(member, id)))

/** Whether the field `property` of a params struct carries the mark `id` (on itself or its type). */
export const has = (property: SchemaAST.PropertySignature, id: symbol): boolean =>
  carries(property, id) || typeHas(property.type, id)
