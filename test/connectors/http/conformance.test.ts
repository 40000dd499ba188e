import { Effect, Schedule } from "effect"
import { Tags } from "../../../src/index.js"
import * as Http from "../../../src/connectors/http/index.js"
import type { Feed } from "../../../src/testkit/index.js"
import { sourceConformance } from "../../../src/testkit/vitest.js"
import { request } from "./client.js"

const payloads = ["alpha", "beta 2", "γάμμα ünïcödé", "delta {\"json\":true}", "epsilon"]

/** The acceptor is not serving yet (503) or not listening yet: try again. */
class NotReady {
  readonly _tag = "NotReady"
}

/** POSTs the payloads as one text body to the port the built source reports, retrying while it answers 503. */
const feedPost: Feed = ({ handle, payloads }) =>
  Effect.retry(
    Effect.flatMap(
      request(Number(Tags.getOrUndefined(handle.metadata.tags, "http_port")), { body: payloads.map((p) => `${String(p)}\n`).join("") }),
      (answer): Effect.Effect<void, NotReady | Error> =>
        answer.status === 503
          ? Effect.fail(new NotReady())
          : answer.status === 200
          ? Effect.void
          : Effect.fail(new Error(`POST /ingest answered ${answer.status}: ${answer.text}`))
    ),
    { while: (e) => e instanceof NotReady, schedule: Schedule.spaced("20 millis").pipe(Schedule.upTo("5 seconds")) }
  )

sourceConformance("http", {
  factory: Http.HttpSource.factory,
  spec: { name: "web", kind: "http", connectorId: "http-src", params: { port: 0 }, tags: [] },
  feed: feedPost,
  expect: { payloads },
  claims: { ack: false, seek: false, parallel: false },
  invalid: [
    { spec: { name: "web", kind: "http", connectorId: "http-src", params: { port: 70000 }, tags: [] }, code: 300, mentions: "params.port" },
    { spec: { name: "web", kind: "http", connectorId: "http-src", params: { path: "/health" }, tags: [] }, code: 300, mentions: "params.path" },
    { spec: { name: "web", kind: "http", connectorId: "http-src", params: { format: "xml" }, tags: [] }, code: 300, mentions: "params.format" }
  ]
})
