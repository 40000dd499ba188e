/**
 * The connector definitions WarpParse ships under its own ids (`file_src`, `syslog_tcp_src`,
 * `file_json_sink`, ...), which its work roots connect to without defining them. They are offered
 * after the kinds' own definitions, for kinds that are registered, under ids the project does not
 * define; their params are this edition's (listening on 127.0.0.1 unless overridden).
 *
 * @since 0.3.0
 */
import * as ConnectorDef from "../config/def.js"

const syslogSrcOverrides = ["addr", "port", "protocol", "tcp_recv_bytes", "udp_recv_buffer", "header_mode", "prefer_newline", "instances"]

const source = (id: string, kind: string, allowOverride: ReadonlyArray<string>, defaultParams: ConnectorDef.MakeOptions["defaultParams"]) =>
  ConnectorDef.make({ id, kind, scope: "source", allowOverride, defaultParams, origin: "WarpParse's shipped definitions" })

const sink = (id: string, kind: string, allowOverride: ReadonlyArray<string>, defaultParams: ConnectorDef.MakeOptions["defaultParams"]) =>
  ConnectorDef.make({ id, kind, scope: "sink", allowOverride, defaultParams, origin: "WarpParse's shipped definitions" })

/** The definitions, both scopes. */
export const defs: ReadonlyArray<ConnectorDef.ConnectorDef> = [
  source("file_src", "file", ["base", "file", "encode"], { base: "./data/in_dat", file: "gen.dat", encode: "text" }),
  source("syslog_udp_src", "syslog", syslogSrcOverrides, { addr: "127.0.0.1", port: 1514, protocol: "udp", header_mode: "strip" }),
  source("syslog_tcp_src", "syslog", syslogSrcOverrides, { addr: "127.0.0.1", port: 1514, protocol: "tcp", header_mode: "strip" }),
  source("tcp_src", "tcp", ["addr", "port", "framing", "tcp_recv_bytes", "instances"], { addr: "127.0.0.1", port: 9000, framing: "auto" }),
  sink("blackhole_sink", "blackhole", [], {}),
  sink("file_json_sink", "file", ["base", "file"], { fmt: "json", base: "./data/out_dat", file: "default.json" }),
  sink("syslog_udp_sink", "syslog", ["addr", "port", "protocol", "app_name"], { addr: "127.0.0.1", port: 1514, protocol: "udp" }),
  sink("syslog_tcp_sink", "syslog", ["addr", "port", "protocol", "app_name"], { addr: "127.0.0.1", port: 1514, protocol: "tcp" }),
  sink("tcp_sink", "tcp", ["addr", "port", "framing"], { addr: "127.0.0.1", port: 9000, framing: "line" })
]
