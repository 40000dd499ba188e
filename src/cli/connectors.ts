/**
 * `wpc connectors [--json]`: every registered connector kind — its scopes, URL adapter and default
 * params — and the connector definitions the kinds ship, with their allow_override and params.
 *
 * @since 0.1.0
 */
import { Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import * as ConnectorDef from "../config/def.js"
import { ConnectorRegistry, type KindInfo } from "../registry/registry.js"
import * as Report from "./report.js"
import * as Secrets from "./secrets.js"
import * as Table from "./table.js"

const scopes = (info: KindInfo): ReadonlyArray<ConnectorDef.ConnectorScope> => [
  ...(Option.isSome(info.source) ? ["source" as const] : []),
  ...(Option.isSome(info.sink) ? ["sink" as const] : [])
]

const defaults = (info: KindInfo) => Option.match(info.adapter, { onNone: () => ({}), onSome: (a) => a.defaults() })

/** A kind's defaults with what the params Schema of any of its scopes marks secret masked. */
const maskedDefaults = (info: KindInfo, schemas: Secrets.ParamSchemas) =>
  scopes(info).reduce((table, scope) => Secrets.params(table, schemas(scope, info.kind)), defaults(info))

/** The kinds as JSON data (secrets masked). */
export const kindsJson = (kinds: ReadonlyArray<KindInfo>) => {
  const schemas = Secrets.schemasOf(kinds)
  return {
    kinds: kinds.map((info) => ({
      kind: info.kind,
      scopes: scopes(info),
      urlAdapter: Option.isSome(info.adapter),
      defaults: maskedDefaults(info, schemas),
      definitions: info.defs.map((def) => ({
        id: def.id,
        scope: def.scope,
        allow_override: def.allowOverride,
        params: Secrets.params(def.defaultParams, schemas(def.scope, def.kind))
      }))
    }))
  }
}

/** The kinds as text: a table of kinds, then a table of the definitions they ship. */
export const kindsText = (kinds: ReadonlyArray<KindInfo>): string => {
  const schemas = Secrets.schemasOf(kinds)
  return [
    Table.render(
      ["KIND", "SCOPE", "URL", "DEFAULTS"],
      kinds.map((k) => [k.kind, scopes(k).join(",") || "-", Option.isSome(k.adapter) ? "yes" : "no", Report.paramsText(maskedDefaults(k, schemas))])
    ),
    "",
    Table.render(
      ["CONNECTOR", "KIND", "SCOPE", "ALLOW_OVERRIDE", "PARAMS"],
      kinds.flatMap((k) =>
        k.defs.map((d) => [d.id, d.kind, d.scope, d.allowOverride.join(",") || "-", Report.paramsText(d.defaultParams, schemas(d.scope, d.kind))])
      )
    )
  ].join("\n")
}

/** The `connectors` command. */
export const command = Command.make(
  "connectors",
  { json: Options.boolean("json").pipe(Options.withDescription("print JSON instead of tables")) },
  (o) =>
    Effect.flatMap(ConnectorRegistry, (registry) => registry.kinds).pipe(
      Effect.flatMap((kinds) => Console.log(o.json ? JSON.stringify(kindsJson(kinds), null, 2) : kindsText(kinds)))
    )
).pipe(Command.withDescription("List every registered connector kind with its scopes, default params and shipped definitions."))
