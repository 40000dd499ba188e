/**
 * Parameters, definition and URL adapter of the `syslog` connector.
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import * as ConnectorKindAdapter from "../../config/adapter.js"
import * as ConnectorDef from "../../config/def.js"
import * as ParamSchema from "../../config/param-schema.js"
import { Addr, ConnectPort, IdleTimeout, ListenPort, Millis, NonNegative, Positive } from "../../config/param-types.js"
import * as BufferParams from "../net/buffer-params.js"
import * as Tls from "../net/tls.js"
import { hostParams, Instances } from "../tcp/params.js"
import { Facility, Severity } from "./priority.js"

/** The connector kind. */
export const kind = "syslog"

/**
 * Source params: listen on `addr`:`port` over `protocol` (`udp`: one datagram is one message; `tcp`:
 * octet-counted or LF-delimited frames, detected per frame as RFC 6587 says); `attach_meta_tags` tags
 * each message with its header fields, `strip_header` keeps only its MSG; `header_mode` (WarpParse's) sets
 * both: `keep` (the message as received, no header tags), `strip` (only its MSG) or `parse` (only its MSG,
 * the header as tags), and wins over them when given; `prefer_newline` (WarpParse's) frames TCP by LF only
 * (a line that starts with digits and a space is then not read as octet-counted); `instances` (1 to 64, as
 * the tcp source's: over TCP that many `DataSource`s share the listener's connections; with UDP or
 * `buffer = "disk"` only 1); `tcp_recv_bytes` is the
 * largest TCP frame (longer ones are cut); `udp_recv_buffer` the UDP socket's receive buffer;
 * `max_connections` TCP clients at most, each closed once it sent nothing for `idle_timeout_s` (0: never);
 * at most `queue_events` events and `queue_bytes` bytes wait for the pipeline (per instance); `batch_events` per receive.
 * `buffer`, `buffer_max_bytes`, `buffer_fsync`: what was received waits in memory (`"memory"`) or in a
 * write-ahead log under the work root (`"disk"`, see `BufferParams`; UDP then drops only at its bound).
 * `tls`: with `protocol = "tcp"`, serve TLS (RFC 5425; `Tls.ServerTls`).
 */
export const SourceParams = Schema.Struct({
  addr: Schema.optionalWith(Addr, { default: () => "127.0.0.1" }),
  port: Schema.optionalWith(ListenPort, { default: () => 514 }),
  protocol: Schema.optionalWith(Schema.Literal("udp", "tcp"), { default: () => "udp" as const }),
  strip_header: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  header_mode: Schema.optional(Schema.Literal("keep", "strip", "parse")),
  prefer_newline: Schema.optionalWith(Schema.Boolean, { default: () => false }),
  instances: Schema.optionalWith(Instances, { default: () => 1 }),
  attach_meta_tags: Schema.optionalWith(Schema.Boolean, { default: () => true }),
  tcp_recv_bytes: Schema.optionalWith(Positive, { default: () => 1048576 }),
  udp_recv_buffer: Schema.optionalWith(Positive, { default: () => 8388608 }),
  max_connections: Schema.optionalWith(Positive, { default: () => 256 }),
  idle_timeout_s: Schema.optionalWith(IdleTimeout, { default: () => 300 }),
  queue_events: Schema.optionalWith(Positive, { default: () => 65536 }),
  queue_bytes: Schema.optionalWith(Positive, { default: () => 67108864 }),
  batch_events: Schema.optionalWith(Positive, { default: () => 4096 }),
  ...BufferParams.fields,
  ...Tls.serverFields
})

/** Decoded source params. */
export type SourceParams = typeof SourceParams.Type

/** The source definition `syslog-src`: the defaults of `SourceParams`, every key overridable. */
export const sourceDefs = ConnectorDef.builtinSourceDefs({ id: "syslog-src", kind, params: SourceParams })

/** A header field the sink sends (HOSTNAME, APP-NAME, PROCID, MSGID): printable US-ASCII, no space. */
const HeaderToken = (max: number) =>
  Schema.String.pipe(Schema.pattern(new RegExp(`^[\\x21-\\x7e]{1,${max}}$`))).annotations({
    description: `1 to ${max} printable US-ASCII characters without spaces`
  })

/** The name of a record field the sink reads; `""` reads none. */
const FieldName = Schema.String.annotations({ description: "a record field name, or \"\" to read none" })

/**
 * Sink params: send each event as one syslog message to `addr`:`port` over `protocol` (`udp`: one
 * datagram per message; `tcp`: one connection, messages framed `octet-counted` or by `line`), in `format`
 * (`rfc5424` or `rfc3164`). The header comes from a record's fields named by the `*_field` params (`""`:
 * none), else from `facility`, `severity`, `host` (default: this machine's name), `app` (or `app_name`, WarpParse's name, which wins), `procid` and
 * `msgid`; MSG is the record's `message_field`, else the record as JSON, or the payload of an event
 * without a record. TIMESTAMP is a record's `timestamp_field`, else the time of the write. Over TCP a
 * connection must open within `connect_timeout_ms`; the batches written in the last `resend_ms` before a
 * connection was lost are sent again on the next one (0: none). `tls`: with `protocol = "tcp"`, connect
 * with TLS (RFC 5425; `Tls.ClientTls`).
 */
export const SinkParams = Schema.Struct({
  addr: Schema.optionalWith(Addr, { default: () => "127.0.0.1" }),
  port: Schema.optionalWith(ConnectPort, { default: () => 514 }),
  protocol: Schema.optionalWith(Schema.Literal("udp", "tcp"), { default: () => "udp" as const }),
  framing: Schema.optionalWith(Schema.Literal("octet-counted", "line"), { default: () => "octet-counted" as const }),
  format: Schema.optionalWith(Schema.Literal("rfc5424", "rfc3164"), { default: () => "rfc5424" as const }),
  facility: Schema.optionalWith(Facility, { default: () => "user" }),
  severity: Schema.optionalWith(Severity, { default: () => "info" }),
  host: Schema.optional(HeaderToken(255)),
  app: Schema.optionalWith(HeaderToken(48), { default: () => "wpc" }),
  app_name: Schema.optional(HeaderToken(48)),
  procid: Schema.optional(HeaderToken(128)),
  msgid: Schema.optional(HeaderToken(32)),
  facility_field: Schema.optionalWith(FieldName, { default: () => "facility" }),
  severity_field: Schema.optionalWith(FieldName, { default: () => "severity" }),
  host_field: Schema.optionalWith(FieldName, { default: () => "host" }),
  app_field: Schema.optionalWith(FieldName, { default: () => "app" }),
  procid_field: Schema.optionalWith(FieldName, { default: () => "procid" }),
  msgid_field: Schema.optionalWith(FieldName, { default: () => "msgid" }),
  message_field: Schema.optionalWith(FieldName, { default: () => "message" }),
  timestamp_field: Schema.optionalWith(FieldName, { default: () => "timestamp" }),
  connect_timeout_ms: Schema.optionalWith(Millis, { default: () => 5000 }),
  resend_ms: Schema.optionalWith(NonNegative, { default: () => 1000 }),
  ...Tls.clientFields
})

/** Decoded sink params. */
export type SinkParams = typeof SinkParams.Type

/** The sink definition `syslog-sink`: the defaults of `SinkParams`, every key overridable. */
export const sinkDefs = ConnectorDef.builtinSinkDefs({ id: "syslog-sink", kind, params: SinkParams })

/**
 * `syslog+udp://0.0.0.0:514` gives `{ addr: "0.0.0.0", port: 514, protocol: "udp" }`, `syslog+tcp://` the
 * same with `protocol: "tcp"`; plain `syslog://` leaves the protocol to the defaults. The same keys are
 * the sink's target.
 */
export const adapter = ConnectorKindAdapter.make({
  kind,
  defaults: ParamSchema.defaults(SourceParams),
  urlToParams: (url) =>
    Effect.flatMap(ConnectorKindAdapter.parseUrl(url, ["syslog", "syslog+udp", "syslog+tcp"]), (u) =>
      Effect.map(hostParams(url, u), (host) => {
        const protocol = u.protocol === "syslog+udp:" ? "udp" : u.protocol === "syslog+tcp:" ? "tcp" : undefined
        return protocol === undefined ? host : { ...host, protocol }
      }))
})
