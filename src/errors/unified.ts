/**
 * The cross-cutting reasons of orion-error (`UvsReason`), each with its code.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/** The names of the unified reasons, as orion-error spells them. */
export const UnifiedReasonKind = Schema.Literal(
  "ValidationError",
  "BusinessError",
  "NotFoundError",
  "PermissionError",
  "LogicError",
  "RunRuleError",
  "DataError",
  "SystemError",
  "NetworkError",
  "ResourceError",
  "TimeoutError",
  "ConfigError",
  "ExternalError"
)

/** One of the unified reason names. */
export type UnifiedReasonKind = typeof UnifiedReasonKind.Type

/** The layer a `ConfigError` reason belongs to (orion-error's `ConfErrReason`). */
export const ConfigErrorScope = Schema.Literal("core", "feature", "dynamic")

/** `core`, `feature` or `dynamic`. */
export type ConfigErrorScope = typeof ConfigErrorScope.Type

/** The code of each unified reason. */
export const unifiedCodes: { readonly [K in UnifiedReasonKind]: number } = {
  ValidationError: 100,
  BusinessError: 101,
  NotFoundError: 102,
  PermissionError: 103,
  LogicError: 104,
  RunRuleError: 105,
  DataError: 200,
  SystemError: 201,
  NetworkError: 202,
  ResourceError: 203,
  TimeoutError: 204,
  ConfigError: 300,
  ExternalError: 301
}

/** Unified kinds whose failures are worth retrying: network (202) and timeout (204); a reason marked `transient` is retryable too. */
export const retryableUnifiedKinds: ReadonlySet<UnifiedReasonKind> = new Set<UnifiedReasonKind>([
  "NetworkError",
  "TimeoutError"
])

/**
 * A unified reason (`UvsReason`): a kind, an optional detail, for config errors a scope, and `transient`
 * when the condition is known to clear by itself (a full disk, a full descriptor table), which makes it
 * retryable whatever its kind.
 */
export class UnifiedReason extends Schema.Class<UnifiedReason>("UnifiedReason")({
  kind: UnifiedReasonKind,
  detail: Schema.optional(Schema.String),
  configScope: Schema.optional(ConfigErrorScope),
  transient: Schema.optional(Schema.Literal(true))
}) {
  /** The numeric code of this reason. */
  get code(): number {
    return unifiedCodes[this.kind]
  }

  /** `true` for network and timeout reasons, and for a reason marked `transient`. */
  get retryable(): boolean {
    return this.transient === true || retryableUnifiedKinds.has(this.kind)
  }

  /** `"NetworkError: connection refused"`, or the kind alone without a detail. */
  override toString(): string {
    const kind = this.configScope === undefined ? this.kind : `${this.kind}(${this.configScope})`
    return this.detail === undefined ? kind : `${kind}: ${this.detail}`
  }

  /** Builds a reason of `kind` with an optional detail. */
  static of(kind: UnifiedReasonKind, detail?: string): UnifiedReason {
    return new UnifiedReason(detail === undefined ? { kind } : { kind, detail })
  }
  /** A `ValidationError` (100). */
  static validation(detail?: string): UnifiedReason {
    return UnifiedReason.of("ValidationError", detail)
  }
  /** A `BusinessError` (101). */
  static business(detail?: string): UnifiedReason {
    return UnifiedReason.of("BusinessError", detail)
  }
  /** A `NotFoundError` (102). */
  static notFound(detail?: string): UnifiedReason {
    return UnifiedReason.of("NotFoundError", detail)
  }
  /** A `PermissionError` (103). */
  static permission(detail?: string): UnifiedReason {
    return UnifiedReason.of("PermissionError", detail)
  }
  /** A `LogicError` (104). */
  static logic(detail?: string): UnifiedReason {
    return UnifiedReason.of("LogicError", detail)
  }
  /** A `RunRuleError` (105). */
  static runRule(detail?: string): UnifiedReason {
    return UnifiedReason.of("RunRuleError", detail)
  }
  /** A `DataError` (200). */
  static data(detail?: string): UnifiedReason {
    return UnifiedReason.of("DataError", detail)
  }
  /** A `SystemError` (201). */
  static system(detail?: string): UnifiedReason {
    return UnifiedReason.of("SystemError", detail)
  }
  /** A `NetworkError` (202). */
  static network(detail?: string): UnifiedReason {
    return UnifiedReason.of("NetworkError", detail)
  }
  /** A `ResourceError` (203). */
  static resource(detail?: string): UnifiedReason {
    return UnifiedReason.of("ResourceError", detail)
  }
  /**
   * A `ResourceError` (203) marked `transient`, so retryable: an exhaustion that clears by itself (ENOSPC,
   * EDQUOT, EMFILE, ENFILE). A plain `resource` reason stays final.
   */
  static transientResource(detail?: string): UnifiedReason {
    return new UnifiedReason(detail === undefined ? { kind: "ResourceError", transient: true } : {
      kind: "ResourceError",
      detail,
      transient: true
    })
  }
  /** A `TimeoutError` (204). */
  static timeout(detail?: string): UnifiedReason {
    return UnifiedReason.of("TimeoutError", detail)
  }
  /** A `ConfigError` (300) of the given scope (default `core`). */
  static config(detail?: string, scope: ConfigErrorScope = "core"): UnifiedReason {
    return new UnifiedReason(detail === undefined ? { kind: "ConfigError", configScope: scope } : {
      kind: "ConfigError",
      detail,
      configScope: scope
    })
  }
  /** An `ExternalError` (301). */
  static external(detail?: string): UnifiedReason {
    return UnifiedReason.of("ExternalError", detail)
  }
}
