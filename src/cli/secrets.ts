/**
 * Masking secrets in what `wpc` prints: the values of parameters their connector's params Schema marks
 * secret (`SecretParam`), the values of keys named like a secret where no Schema says (a kind without
 * one, an open-ended table), and the credentials of every URL in a value or a text (`user:password@`
 * keeps the user, a lone `token@` is masked whole).
 *
 * @since 0.1.0
 */
import { Option, type Schema, type SchemaAST } from "effect"
import type { ConnectorScope } from "../config/def.js"
import type { Json, ParamMap } from "../config/param.js"
import * as SecretParam from "../config/secret-param.js"
import * as UrlCredentials from "../config/url-credentials.js"
import type { KindInfo } from "../registry/registry.js"

/** What replaces a secret. */
export const mask = UrlCredentials.mask

/**
 * Keys taken for secrets where no Schema says: `password`, `passwd`, `token`, `secret` (alone or ending a
 * name: `db_password`, `auth_token`, `client_secret`), `key`, `api_key`, `access_key`, `private_key` and
 * `secret_key` (any case, `apiKey` too); not every key containing "key" (`routing_key` is shown).
 */
export const secretKey = /(^|[_-])(password|passwd|token|secret)$|^((api|access|private|secret)[_-]?)?key$/i

/** `text` with the credentials of every URL in it masked: `nats://u:***@h`, `nats://***@h`. */
export const text = UrlCredentials.maskIn

/** The params Schema of a connector kind of a scope, if its factory has one. */
export type ParamSchemas = (scope: ConnectorScope, kind: string) => Option.Option<Schema.Schema.Any>

/** No Schema for any kind: every table is masked by its key names. */
export const noSchemas: ParamSchemas = () => Option.none()

/** The params Schemas of the registered `kinds`' factories. */
export const schemasOf = (kinds: ReadonlyArray<KindInfo>): ParamSchemas => {
  const byKind = new Map(kinds.map((k) => [k.kind, k] as const))
  return (scope, kind) =>
    Option.flatMap(Option.fromNullable(byKind.get(kind)), (info) =>
      scope === "source"
        ? Option.flatMap(info.source, (factory) => Option.fromNullable(factory.params))
        : Option.flatMap(info.sink, (factory) => Option.fromNullable(factory.params)))
}

const hasValue = (value: Json): boolean => value !== null && value !== ""

const maskValue = (value: Json, struct: SchemaAST.TypeLiteral | undefined): Json => {
  if (typeof value === "string") return text(value)
  if (value === null || typeof value !== "object") return value
  if (Array.isArray(value)) return value.map((item) => maskValue(item, undefined))
  return maskTable(value as ParamMap, struct)
}

const maskTable = (table: ParamMap, struct: SchemaAST.TypeLiteral | undefined): ParamMap => {
  const out: { [key: string]: Json } = {}
  for (const key of Object.keys(table)) {
    const value = table[key]!
    const field: SecretParam.Field = struct === undefined ? { _tag: "Undeclared" } : SecretParam.field(struct, key)
    const secret = field._tag === "Secret" || (field._tag === "Undeclared" && secretKey.test(key))
    out[key] = secret && hasValue(value) ? mask : maskValue(value, field._tag === "Table" ? field.struct : undefined)
  }
  return out
}

/**
 * `table` with every secret value (at every depth) replaced by `***`, and URL credentials masked. With
 * `schema` (the connector's params Schema) a key is secret when the Schema marks it (`SecretParam`);
 * keys it does not declare, and every key without a Schema, are secret when named like one (`secretKey`).
 */
export const params = (table: ParamMap, schema: Option.Option<Schema.Schema.Any> = Option.none()): ParamMap =>
  maskTable(table, Option.getOrUndefined(Option.map(schema, SecretParam.fieldsOf)))
