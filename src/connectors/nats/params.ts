/**
 * Parameters, definitions and URL adapter of the `nats` (JetStream) connector.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import * as ConnectorKindAdapter from "../../config/adapter.js"
import * as ConnectorDef from "../../config/def.js"
import * as ParamSchema from "../../config/param-schema.js"
import { Millis, Positive } from "../../config/param-types.js"
import * as SecretParam from "../../config/secret-param.js"
import * as Tls from "../net/tls.js"
import * as NatsServers from "./servers.js"

/** The connector kind. */
export const kind = "nats"

/** A stream or consumer name: letters, digits, `-` and `_` (JetStream forbids `.`, `*`, `>` and spaces). */
export const Name = Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_-]+$/)).annotations({
  description: "a JetStream name of letters, digits, '-' and '_'"
})

/** A NATS subject, wildcards `*` and `>` allowed. */
export const Subject = Schema.String.pipe(Schema.pattern(/^[^\s.]+(\.[^\s.]+)*$/)).annotations({
  description: "a NATS subject such as orders.> (tokens separated by '.', no spaces)"
})

/**
 * Server URLs separated by commas, e.g. `nats://127.0.0.1:4222, nats://127.0.0.1:4223`. A URL carrying
 * credentials is refused first (naming its index, redacted), so no message ever shows them.
 */
export const Servers = Schema.String.pipe(
  Schema.filter((servers) => {
    const found = NatsServers.credentialsIn(servers)
    return found === undefined ? undefined : { path: [found.index], message: found.message }
  }, { description: NatsServers.credentialsHint }),
  Schema.pattern(/^(nats|tls):\/\/[^\s,]+(,\s*(nats|tls):\/\/[^\s,]+)*$/)
).annotations({
  description: "nats://host:port, several separated by commas"
})

/** Connection and stream params shared by the source and the sink. */
const common = {
  servers: Schema.optionalWith(Servers, { default: () => "nats://127.0.0.1:4222" }),
  stream: Name,
  subjects: Schema.optional(Schema.Array(Subject)),
  create_stream: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  /** A user of the server's authorization (with `password`). */
  username: Schema.optional(Schema.NonEmptyString),
  /** The user's password; `wpc` prints it as `***`. */
  password: Schema.optional(SecretParam.secret(Schema.NonEmptyString)),
  /** An authorization token (instead of a user); `wpc` prints it as `***`. */
  token: Schema.optional(SecretParam.secret(Schema.NonEmptyString)),
  /** Connect with TLS (`Tls.ClientTls`: CA, client certificate, server-name check, minimum version). */
  ...Tls.clientFields
}

/**
 * Source params: a durable pull consumer `durable` on `stream` (created when missing, with
 * `deliver_policy`, `ack_wait_ms` and `max_ack_pending`), fetching up to `batch` messages, waiting at
 * most `expires_ms`. `max_ack_pending` bounds the messages delivered and not yet acked across every
 * replica of the durable: it must cover each process's in-flight window (the engine's queue plus a
 * fetch), or the consumer stalls at the bound (JetStream's own default, 1000, would).
 */
export const SourceParams = Schema.Struct({
  ...common,
  durable: Name,
  batch: Schema.optionalWith(Positive, { default: () => 1024 }),
  expires_ms: Schema.optionalWith(Schema.Int.pipe(Schema.greaterThanOrEqualTo(1000)).annotations({ description: "an integer >= 1000 (the client's minimum)" }), {
    default: () => 1000
  }),
  ack_wait_ms: Schema.optionalWith(Millis, { default: () => 30000 }),
  max_ack_pending: Schema.optionalWith(Positive, { default: () => 100_000 }),
  deliver_policy: Schema.optionalWith(Schema.Literal("all", "new", "last"), { default: () => "all" as const })
})

/** Decoded source params. */
export type SourceParams = typeof SourceParams.Type

/** Sink params: publish every payload to `subject` (default `<stream>.events`) and wait for the stream's ack. */
export const SinkParams = Schema.Struct({
  ...common,
  subject: Schema.optional(Subject)
})

/** Decoded sink params. */
export type SinkParams = typeof SinkParams.Type

/** The subjects a created stream binds: `subjects`, or `<stream>.>` by default. */
export const streamSubjects = (params: { readonly stream: string; readonly subjects?: ReadonlyArray<string> | undefined }): Array<string> =>
  params.subjects === undefined || params.subjects.length === 0 ? [`${params.stream}.>`] : [...params.subjects]

/** The source definition `nats-src`: the defaults of `SourceParams` (`stream` and `durable` have none), every key overridable. */
export const sourceDefs = ConnectorDef.builtinSourceDefs({ id: "nats-src", kind, params: SourceParams })

/** The sink definition `nats-sink`: the defaults of `SinkParams` (`stream` has none), every key overridable. */
export const sinkDefs = ConnectorDef.builtinSinkDefs({ id: "nats-sink", kind, params: SinkParams })

/** Query keys the URL form accepts. */
const queryKeys = new Set(["durable", "subject", "create_stream", "deliver_policy"])

/** The params of a parsed URL without credentials. */
const paramsOf = (url: string, u: URL) => {
  if (u.hash !== "") return Effect.fail(ConnectorKindAdapter.refuse(url, "fragment", `fragment ${JSON.stringify(u.hash)}`, "no fragment"))
  const stream = u.pathname.replace(/^\//, "")
  if (stream.includes("/")) return Effect.fail(ConnectorKindAdapter.refuse(url, "path", `path ${JSON.stringify(u.pathname)}`, "one path segment: the stream name"))
  const params: Record<string, string | boolean> = { servers: `nats://${u.host === "" ? "127.0.0.1:4222" : u.host}` }
  if (stream !== "") params["stream"] = decodeURIComponent(stream)
  for (const [key, value] of u.searchParams) {
    if (!queryKeys.has(key)) {
      return Effect.fail(ConnectorKindAdapter.refuse(url, `query.${key}`, `unknown query key ${JSON.stringify(key)}`, [...queryKeys].join(", ")))
    }
    params[key] = key === "create_stream" ? value === "true" : value
  }
  return Effect.succeed(params)
}

/**
 * `nats://host:4222/stream?durable=x` gives `{ servers: "nats://host:4222", stream: "stream", durable: "x" }`;
 * the query may also set `subject`, `create_stream` (`true`/`false`) and `deliver_policy`. Credentials in
 * the URL are refused before anything else is looked at, and the refusal shows the URL redacted.
 */
export const adapter = ConnectorKindAdapter.make({
  kind,
  defaults: ParamSchema.defaults(SourceParams),
  urlToParams: (url) =>
    NatsServers.hasCredentials(url)
      ? Effect.fail(ConnectorKindAdapter.refuse(NatsServers.redact(url), "userinfo", "credentials", NatsServers.credentialsHint))
      : Effect.flatMap(ConnectorKindAdapter.parseUrl(url, ["nats"]), (u) => paramsOf(url, u))
})
