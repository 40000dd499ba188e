/**
 * The specs the nats tests build from: a source on stream `S` with durable `d`, a sink on stream `S`
 * creating it, each with `params` on top; and the sink build context.
 */
import { Option } from "effect"
import { SinkFactory, type SourceFactory } from "../../../src/index.js"

/** A resolved nats source spec `in` reading stream `S` as durable `d`, with `params` added. */
export const sourceSpec = (params: Record<string, unknown>): SourceFactory.ResolvedSourceSpec => ({
  name: "in",
  kind: "nats",
  connectorId: "nats-src",
  params: { stream: "S", durable: "d", ...params } as SourceFactory.ResolvedSourceSpec["params"],
  tags: []
})

/** A resolved nats sink spec `g.out` writing stream `S` (created when missing), with `params` added. */
export const sinkSpec = (params: Record<string, unknown>): SinkFactory.ResolvedSinkSpec => ({
  group: "g",
  name: "out",
  kind: "nats",
  connectorId: "nats-sink",
  params: { stream: "S", create_stream: true, ...params } as SinkFactory.ResolvedSinkSpec["params"],
  filter: Option.none()
})

/** A sink build context whose work root is never used. */
export const ctx = SinkFactory.buildCtx({ workRoot: "/nonexistent" })
