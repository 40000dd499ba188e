/**
 * `ConnectorDef`: a connector's definition as written under `[[connectors]]` (`id`, `type`,
 * `allow_override`, `params`), its runtime-only `scope` and `origin`, and the
 * `SourceDefProvider` / `SinkDefProvider` interfaces that hand definitions to the engine.
 *
 * @since 0.1.0
 */
import { Effect, Function, Option, Schema } from "effect"
import type { ConfigError } from "../errors/config.js"
import * as ParamMap from "./param.js"
import * as ParamSchema from "./param-schema.js"

/** Whether a connector reads (`source`, the default) or writes (`sink`). */
export const ConnectorScope = Schema.Literal("source", "sink").annotations({
  identifier: "ConnectorScope",
  default: "source"
})

/** `"source"` or `"sink"`. */
export type ConnectorScope = typeof ConnectorScope.Type

/** An identifier: a non-empty string without leading or trailing whitespace. */
const Name = Schema.NonEmptyTrimmedString.annotations({
  identifier: "Name",
  description: "a non-empty string without leading or trailing whitespace"
})

/** A field that exists only at run time: decoding ignores the input under its key, encoding never writes it. */
const runtimeOnly = <A>(to: Schema.Schema<A>, initial: () => A) =>
  Schema.optionalToRequired(Schema.Unknown, to, {
    decode: initial,
    encode: () => Option.none()
  }).pipe(Schema.withConstructorDefault(initial))

/**
 * A connector definition. Encoded keys are `id`, `type`, `allow_override` (default `[]`) and `params`
 * (default `{}`, written with sorted keys); `scope` (default `"source"`) and `origin` are runtime-only:
 * ignored when decoding and never encoded.
 */
export class ConnectorDef extends Schema.Class<ConnectorDef>("ConnectorDef")({
  id: Name,
  kind: Schema.propertySignature(Name).pipe(Schema.fromKey("type")),
  allowOverride: Schema.optionalWith(Schema.Array(Name), { default: () => [], exact: true }).pipe(
    Schema.fromKey("allow_override")
  ),
  defaultParams: Schema.optionalWith(ParamMap.schema, { default: () => ParamMap.empty, exact: true }).pipe(
    Schema.fromKey("params")
  ),
  scope: runtimeOnly(ConnectorScope, (): ConnectorScope => "source"),
  origin: runtimeOnly(Schema.UndefinedOr(Schema.String), (): string | undefined => undefined)
}) {}

/** The encoded form of a `ConnectorDef`, as written in `connectors/*.d/*.toml`. */
export interface Encoded {
  /** The connector's unique id. */
  readonly id: string
  /** The connector kind. */
  readonly type: string
  /** Parameter keys that sources/sinks may override. */
  readonly allow_override: ReadonlyArray<string>
  /** Default parameters, keys sorted. */
  readonly params: ParamMap.ParamMap
}

/** What `make` takes: `id` and `kind` are required, the rest defaults (scope `"source"`, no overrides, no params). */
export interface MakeOptions {
  /** The connector's unique id. */
  readonly id: string
  /** The connector kind (encoded as `type`). */
  readonly kind: string
  /** `"source"` (default) or `"sink"`. */
  readonly scope?: ConnectorScope | undefined
  /** Parameter keys that may be overridden (default none). */
  readonly allowOverride?: ReadonlyArray<string> | undefined
  /** Default parameters (default none). */
  readonly defaultParams?: ParamMap.ParamMap | undefined
  /** Where the definition came from (a file, a factory), for messages. */
  readonly origin?: string | undefined
}

/**
 * Builds a definition in code (the crate's struct literal). It does not validate: use `decode` for
 * outside data and `validate` to check a definition built here.
 */
export const make = (options: MakeOptions): ConnectorDef =>
  new ConnectorDef({
    id: options.id,
    kind: options.kind,
    scope: options.scope ?? "source",
    allowOverride: [...(options.allowOverride ?? [])],
    defaultParams: ParamMap.make(options.defaultParams ?? ParamMap.empty),
    origin: options.origin
  }, true)

/** A copy of `def` with the given scope (the crate's `with_scope`). */
export const withScope: {
  /** A copy of `def` with the given scope. */
  (scope: ConnectorScope): (def: ConnectorDef) => ConnectorDef
  /** A copy of `def` with the given scope. */
  (def: ConnectorDef, scope: ConnectorScope): ConnectorDef
} = Function.dual(
  2,
  (def: ConnectorDef, scope: ConnectorScope): ConnectorDef =>
    def.scope === scope ? def : new ConnectorDef({ ...def, scope }, true)
)

/** A copy of `def` with the given origin (`undefined` clears it). */
export const withOrigin: {
  /** A copy of `def` with the given origin. */
  (origin: string | undefined): (def: ConnectorDef) => ConnectorDef
  /** A copy of `def` with the given origin. */
  (def: ConnectorDef, origin: string | undefined): ConnectorDef
} = Function.dual(
  2,
  (def: ConnectorDef, origin: string | undefined): ConnectorDef =>
    def.origin === origin ? def : new ConnectorDef({ ...def, origin }, true)
)

/**
 * Decodes one `[[connectors]]` entry. Failures are a `ConfigError` in `file` whose path is `where` plus
 * the encoded key (e.g. `connectors[0].type`): missing `id`/`type`, empty or non-string names,
 * non-string `allow_override` entries, non-JSON `params`. Unknown keys, `scope` and `origin` are ignored.
 * For TOML input, flatten the parsed document with `ParamMap.fromToml` first (TOML dates become strings).
 */
export const decode = (u: unknown, file?: string, where?: string): Effect.Effect<ConnectorDef, ConfigError> =>
  Schema.decodeUnknown(ConnectorDef)(u).pipe(
    Effect.mapError((error) => ParamMap.parseErrorToConfigError(error, where, file))
  )

/** Validates the fields themselves: the class schema trusts every instance, and `make` skips validation. */
const validateFields = Schema.validate(Schema.Struct(ConnectorDef.fields))

/** Checks a definition built in code (e.g. by `make`); the error path uses field names (`kind`, ...). */
export const validate = (def: ConnectorDef): Effect.Effect<ConnectorDef, ConfigError> =>
  validateFields(def).pipe(
    Effect.as(def),
    Effect.mapError((error) => ParamMap.parseErrorToConfigError(error))
  )


/** The encoded form: keys `id`, `type`, `allow_override`, `params` (sorted); never `scope` or `origin`. */
export const encode = (def: ConnectorDef): Encoded => ({
  id: def.id,
  type: def.kind,
  allow_override: [...def.allowOverride],
  params: ParamMap.encode(def.defaultParams)
})

/** Compact JSON text of the encoded form, keys in the order `id`, `type`, `allow_override`, `params` (sorted). */
export const toJson = (def: ConnectorDef): string =>
  `{"id":${JSON.stringify(def.id)},"type":${JSON.stringify(def.kind)},"allow_override":${
    JSON.stringify(def.allowOverride)
  },"params":${ParamMap.toJson(def.defaultParams)}}`

/** Supplies and checks the definitions of a source connector. */
export interface SourceDefProvider {
  /** The main source definition (scope `"source"`). */
  readonly sourceDef: () => ConnectorDef
  /** Every source definition this connector offers (defaults to `[sourceDef()]`). */
  readonly sourceDefs: () => ReadonlyArray<ConnectorDef>
  /** Checks a source definition (defaults to success). */
  readonly validateSource: (def: ConnectorDef) => Effect.Effect<void, ConfigError>
}

/** Supplies and checks the definitions of a sink connector. */
export interface SinkDefProvider {
  /** The main sink definition (scope `"sink"`). */
  readonly sinkDef: () => ConnectorDef
  /** Every sink definition this connector offers (defaults to `[sinkDef()]`). */
  readonly sinkDefs: () => ReadonlyArray<ConnectorDef>
  /** Checks a sink definition (defaults to success). */
  readonly validateSink: (def: ConnectorDef) => Effect.Effect<void, ConfigError>
}

/** What `makeSourceDefProvider` takes: only `sourceDef` is required. */
export interface SourceDefProviderOptions {
  /** The main source definition. */
  readonly sourceDef: () => ConnectorDef
  /** Every source definition (default `[sourceDef()]`). */
  readonly sourceDefs?: (() => ReadonlyArray<ConnectorDef>) | undefined
  /** Checks a source definition (default success). */
  readonly validateSource?: ((def: ConnectorDef) => Effect.Effect<void, ConfigError>) | undefined
}

/** What `makeSinkDefProvider` takes: only `sinkDef` is required. */
export interface SinkDefProviderOptions {
  /** The main sink definition. */
  readonly sinkDef: () => ConnectorDef
  /** Every sink definition (default `[sinkDef()]`). */
  readonly sinkDefs?: (() => ReadonlyArray<ConnectorDef>) | undefined
  /** Checks a sink definition (default success). */
  readonly validateSink?: ((def: ConnectorDef) => Effect.Effect<void, ConfigError>) | undefined
}

const succeed = (_def: ConnectorDef): Effect.Effect<void, ConfigError> => Effect.void

/** A `SourceDefProvider` with defaults filled in; every definition it returns has scope `"source"`. */
export const makeSourceDefProvider = (options: SourceDefProviderOptions): SourceDefProvider => {
  const sourceDef = () => withScope(options.sourceDef(), "source")
  const sourceDefs = options.sourceDefs
  return {
    sourceDef,
    sourceDefs: sourceDefs === undefined ? () => [sourceDef()] : () => sourceDefs().map(withScope("source")),
    validateSource: options.validateSource ?? succeed
  }
}

/** A `SinkDefProvider` with defaults filled in; every definition it returns has scope `"sink"`. */
export const makeSinkDefProvider = (options: SinkDefProviderOptions): SinkDefProvider => {
  const sinkDef = () => withScope(options.sinkDef(), "sink")
  const sinkDefs = options.sinkDefs
  return {
    sinkDef,
    sinkDefs: sinkDefs === undefined ? () => [sinkDef()] : () => sinkDefs().map(withScope("sink")),
    validateSink: options.validateSink ?? succeed
  }
}

/** What `builtinSourceDefs` / `builtinSinkDefs` take: the one definition of a built-in connector. */
export interface BuiltinDefOptions {
  /** The definition's id, e.g. `"file-src"`. */
  readonly id: string
  /** The connector kind. */
  readonly kind: string
  /**
   * The params Schema of the kind's factory for this side: the definition's default params are the
   * Schema's defaults, its allow_override every key of the Schema not marked `FixedParam.fixed`.
   */
  readonly params: Schema.Schema.Any
}

/** The definition of `options`, built once: what `ParamSchema` derives from its params Schema. */
const builtin = (options: BuiltinDefOptions): () => ConnectorDef => {
  const def = make({
    id: options.id,
    kind: options.kind,
    allowOverride: ParamSchema.overridable(options.params),
    defaultParams: ParamSchema.defaults(options.params),
    origin: "builtin"
  })
  return () => def
}

/** The `SourceDefProvider` of a built-in connector: its one definition, with origin `"builtin"`, derived from its params Schema. */
export const builtinSourceDefs = (options: BuiltinDefOptions): SourceDefProvider =>
  makeSourceDefProvider({ sourceDef: builtin(options) })

/** The `SinkDefProvider` of a built-in connector: its one definition, with origin `"builtin"`, derived from its params Schema. */
export const builtinSinkDefs = (options: BuiltinDefOptions): SinkDefProvider =>
  makeSinkDefProvider({ sinkDef: builtin(options) })
