import * as dgram from "node:dgram"
import * as net from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Effect, type Scope } from "effect"
import * as Http from "../../../src/connectors/http/index.js"
import * as Listen from "../../../src/connectors/net/listen.js"
import * as Syslog from "../../../src/connectors/syslog/index.js"
import * as Tcp from "../../../src/connectors/tcp/index.js"
import { ConfigError, type ParamMap, SourceFactory } from "../../../src/index.js"
import { leakChecked } from "../tcp/harness.js"

// the socket listeners (tcp, syslog over tcp and udp, http) bind through one module: a failed bind
// reads the same in every one of them, but for who is listening

const spec = (kind: string, params: ParamMap.ParamMap): SourceFactory.ResolvedSourceSpec => ({
  name: "in",
  kind,
  connectorId: `${kind}-src`,
  params,
  tags: []
})

/** The `ConfigError` of building the `kind` source with `params`. */
const buildError = (factory: SourceFactory.SourceFactory, kind: string, params: ParamMap.ParamMap) =>
  Effect.map(Effect.flip(Effect.scoped(factory.build(spec(kind, params), SourceFactory.buildCtx("/nonexistent")))), (error) => {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  })

/** A TCP server holding a port of 127.0.0.1 until the Scope closes. */
const occupyTcp: Effect.Effect<number, never, Scope.Scope> = Effect.acquireRelease(
  Effect.async<net.Server>((resume) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
  }),
  (server) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
).pipe(Effect.map((server) => (server.address() as net.AddressInfo).port))

/** A UDP socket holding a port of 127.0.0.1 until the Scope closes. */
const occupyUdp: Effect.Effect<number, never, Scope.Scope> = Effect.acquireRelease(
  Effect.async<dgram.Socket>((resume) => {
    const socket = dgram.createSocket("udp4")
    socket.bind(0, "127.0.0.1", () => resume(Effect.succeed(socket)))
  }),
  (socket) => Effect.async<void>((resume) => void socket.close(() => resume(Effect.void)))
).pipe(Effect.map((socket) => socket.address().port))

/** The error's detail, its path and what it expected, with the listener's name taken out. */
const shape = (error: ConfigError, who: string) => ({
  message: error.message.replace(who, "<who>"),
  path: error.path,
  expected: error.expected,
  code: error.code
})

describe("a failed listen", () => {
  it.live("a port already in use reads the same from http, tcp and syslog (tcp and udp): addr:port, EADDRINUSE, params.port", () =>
    leakChecked(Effect.gen(function*() {
      const port = yield* occupyTcp
      const udpPort = yield* occupyUdp
      const tcp = yield* buildError(Tcp.TcpSource.factory, "tcp", { port })
      const http = yield* buildError(Http.HttpSource.factory, "http", { port })
      const syslogTcp = yield* buildError(Syslog.SyslogSource.factory, "syslog", { port, protocol: "tcp" })
      const syslogUdp = yield* buildError(Syslog.SyslogSource.factory, "syslog", { port: udpPort, protocol: "udp" })

      expect(tcp.message).toContain(`tcp source in cannot listen on 127.0.0.1:${port}: address already in use (EADDRINUSE)`)
      const expected = shape(tcp, "tcp source in")
      expect(expected).toMatchObject({ code: 300, path: "params.port" })
      expect(expected.expected).toContain("ports below 1024 need privileges")
      expect(shape(http, "http source in")).toEqual(expected)
      expect(shape(syslogTcp, "syslog source in")).toEqual(expected)
      expect(shape(syslogUdp, "syslog source in")).toEqual({
        ...expected,
        message: expected.message.replace(`:${port}:`, `:${udpPort}:`)
      })
    })))

  it.live("an address that is not local reads the same from http and tcp: EADDRNOTAVAIL, params.addr", () =>
    leakChecked(Effect.gen(function*() {
      // 192.0.2.1 (TEST-NET-1) is never an address of this host
      const tcp = yield* buildError(Tcp.TcpSource.factory, "tcp", { addr: "192.0.2.1", port: 0 })
      const http = yield* buildError(Http.HttpSource.factory, "http", { addr: "192.0.2.1", port: 0 })
      expect(tcp.message).toContain("tcp source in cannot listen on 192.0.2.1:0:")
      expect(tcp.message).toContain("(EADDRNOTAVAIL)")
      expect(tcp.path).toBe("params.addr")
      expect(shape(http, "http source in")).toEqual(shape(tcp, "tcp source in"))
    })))

  it("a privileged port (EACCES, which root never meets here) names params.port and says why; an IPv6 address is bracketed", () => {
    const denied = Object.assign(new Error("listen EACCES: permission denied ::1:80"), { code: "EACCES" })
    const error = Listen.listenError("http source in", "::1", 80, denied)
    expect(error.path).toBe("params.port")
    expect(error.detail).toBe("http source in cannot listen on [::1]:80: permission denied (EACCES)")
    expect(error.expected).toContain("ports below 1024 need privileges")
    expect(error.cause).toBe(denied)
  })
})
