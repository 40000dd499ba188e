import { Effect, Option } from "effect"
import * as Syslog from "../../../src/connectors/syslog/index.js"
import { sinkConformance } from "../../../src/testkit/vitest.js"
import { sourceReceiver } from "./receiver.js"

// the receiver is the project's own syslog source, one per case, keeping only each message's MSG
for (const protocol of ["tcp", "udp"] as const) {
  sinkConformance(`syslog over ${protocol}`, {
    factory: Syslog.SyslogSink.factory,
    spec: Effect.map(sourceReceiver({ protocol, strip_header: true }), (receiver) => ({
      spec: { group: "g", name: "out", kind: "syslog", connectorId: "syslog-sink", params: { port: receiver.port, protocol }, filter: Option.none() },
      read: () => Effect.map(receiver.events, (events) => events.map((e) => e.payload)),
      // the source stops: its port is closed (tcp: the connection too; udp: the datagrams draw refusals)
      breakTarget: [{ name: "the receiving syslog source stops listening", run: () => receiver.stop }]
    })),
    // a write is done once the OS took it: the messages arrive a little later
    delivery: "eventual",
    invalid: [
      { spec: { group: "g", name: "out", kind: "syslog", connectorId: "syslog-sink", params: { protocol: "tls" }, filter: Option.none() }, code: 300, mentions: "params.protocol" },
      { spec: { group: "g", name: "out", kind: "syslog", connectorId: "syslog-sink", params: { severity: 9 }, filter: Option.none() }, code: 300, mentions: "params.severity" }
    ]
  })
}
