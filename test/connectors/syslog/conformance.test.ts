import * as dgram from "node:dgram"
import { Effect } from "effect"
import { Tags } from "../../../src/index.js"
import * as Syslog from "../../../src/connectors/syslog/index.js"
import type { Feed } from "../../../src/testkit/index.js"
import { sourceConformance } from "../../../src/testkit/vitest.js"
import { send } from "../tcp/harness.js"

const payloads = [
  "<34>Oct 11 22:14:15 mymachine su: 'su root' failed",
  "<165>1 2003-10-11T22:14:15.003Z host.example app 77 ID47 - An event",
  "not syslog at all",
  "<13>Feb  5 17:32:18 10.0.0.99 sshd[2044]: Accepted publickey"
]

const portOf = (tags: Tags.Tags) => Number(Tags.getOrUndefined(tags, "syslog_port"))

/** Sends each payload as one datagram, in order. */
const feedDatagrams: Feed = ({ handle, payloads }) =>
  Effect.acquireUseRelease(
    Effect.sync(() => dgram.createSocket("udp4")),
    (socket) =>
      Effect.forEach(payloads, (p) =>
        Effect.async<void, Error>((resume) =>
          socket.send(p, portOf(handle.metadata.tags), "127.0.0.1", (e) => resume(e === null ? Effect.void : Effect.fail(e)))
        ), { discard: true }),
    (socket) => Effect.async<void>((resume) => void socket.close(() => resume(Effect.void)))
  )

/** Sends the payloads octet-counted on one TCP connection. */
const feedOctets: Feed = ({ handle, payloads }) =>
  send(portOf(handle.metadata.tags), payloads.map((p) => `${Buffer.byteLength(String(p))} ${String(p)}`).join(""))

for (const [protocol, feed] of [["udp", feedDatagrams], ["tcp", feedOctets]] as const) {
  sourceConformance(`syslog (${protocol})`, {
    factory: Syslog.SyslogSource.factory,
    spec: { name: "logs", kind: "syslog", connectorId: "syslog-src", params: { port: 0, protocol }, tags: [] },
    feed,
    expect: { payloads },
    claims: { ack: false, seek: false, parallel: false },
    invalid: [
      { spec: { name: "logs", kind: "syslog", connectorId: "syslog-src", params: { protocol: "sctp" }, tags: [] }, code: 300, mentions: "params.protocol" }
    ]
  })
}
