import { Effect } from "effect"
import * as dgram from "node:dgram"
import { Tags } from "../../../src/index.js"
import * as Http from "../../../src/connectors/http/index.js"
import * as Syslog from "../../../src/connectors/syslog/index.js"
import * as Tcp from "../../../src/connectors/tcp/index.js"
import type { Feed } from "../../../src/testkit/index.js"
import { sourceConformance } from "../../../src/testkit/vitest.js"
import { request } from "../http/client.js"
import { send } from "../tcp/harness.js"

// the listener sources with `buffer = "disk"` honour the source contract too, and then they ack

const payloads = ["alpha", "beta 2", "γάμμα ünïcödé", "delta {\"json\":true}", "epsilon"]
const port = (tags: Tags.Tags, key: string) => Number(Tags.getOrUndefined(tags, key))

const feedTcp: Feed = ({ handle, payloads }) => send(port(handle.metadata.tags, "tcp_port"), payloads.map((p) => `${String(p)}\n`).join(""))

sourceConformance("tcp (buffer = \"disk\")", {
  factory: Tcp.TcpSource.factory,
  spec: { name: "net", kind: "tcp", connectorId: "tcp-src", params: { port: 0, buffer: "disk" }, tags: [] },
  feed: feedTcp,
  expect: { payloads },
  claims: { ack: true, seek: false, parallel: false },
  invalid: [
    { spec: { name: "net", kind: "tcp", connectorId: "tcp-src", params: { buffer: "ssd" }, tags: [] }, code: 300, mentions: "params.buffer" },
    { spec: { name: "net", kind: "tcp", connectorId: "tcp-src", params: { buffer_max_bytes: 1024 }, tags: [] }, code: 300, mentions: "params.buffer_max_bytes" }
  ]
})

/** Sends each payload as one datagram, once the source is serving (UDP has no connection to wait for). */
const feedUdp: Feed = ({ handle, payloads }) =>
  Effect.acquireUseRelease(
    Effect.sync(() => dgram.createSocket("udp4")),
    (socket) =>
      Effect.forEach(payloads, (p) =>
        Effect.async<void, Error>((resume) =>
          socket.send(String(p), port(handle.metadata.tags, "syslog_port"), "127.0.0.1", (e) => resume(e === null ? Effect.void : Effect.fail(e)))
        )),
    (socket) => Effect.async<void>((resume) => void socket.close(() => resume(Effect.void)))
  )

sourceConformance("syslog (buffer = \"disk\")", {
  factory: Syslog.SyslogSource.factory,
  spec: { name: "logs", kind: "syslog", connectorId: "syslog-src", params: { port: 0, buffer: "disk" }, tags: [] },
  feed: feedUdp,
  expect: { payloads },
  claims: { ack: true, seek: false, parallel: false },
  invalid: [
    { spec: { name: "logs", kind: "syslog", connectorId: "syslog-src", params: { buffer_fsync: "yes" }, tags: [] }, code: 300, mentions: "params.buffer_fsync" }
  ]
})

/** POSTs the payloads as one body; the `202` comes once they are in the log. */
const feedPost: Feed = ({ handle, payloads }) =>
  Effect.flatMap(
    request(port(handle.metadata.tags, "http_port"), { body: payloads.map((p) => `${String(p)}\n`).join("") }),
    (answer) => (answer.status === 202 ? Effect.void : Effect.fail(new Error(`POST /ingest answered ${answer.status}: ${answer.text}`)))
  )

sourceConformance("http (buffer = \"disk\")", {
  factory: Http.HttpSource.factory,
  spec: { name: "web", kind: "http", connectorId: "http-src", params: { port: 0, buffer: "disk" }, tags: [] },
  feed: feedPost,
  expect: { payloads },
  claims: { ack: true, seek: false, parallel: false },
  invalid: [
    { spec: { name: "web", kind: "http", connectorId: "http-src", params: { buffer: 1 }, tags: [] }, code: 300, mentions: "params.buffer" }
  ]
})
