/**
 * The `memory` sink: appends every payload to a named `MemoryStore` buffer (records as JSON lines).
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import * as DataRecord from "../../model/record.js"
import * as AsyncSink from "../../sink/sink.js"
import * as SinkFactory from "../../sink/factory.js"
import { kind, SinkParams } from "./params.js"
import { MemoryStore } from "./store.js"

/** A memory sink writing into `store`'s buffer `buffer`. */
export const make = (store: MemoryStore, buffer: string): AsyncSink.AsyncSink =>
  AsyncSink.make({
    identifier: `memory:${buffer}`,
    sinkStr: (data) => store.append(buffer, [data]),
    sinkBytes: (data) => store.append(buffer, [data]),
    sinkStrBatch: (data) => store.append(buffer, data),
    sinkBytesBatch: (data) => store.append(buffer, data),
    sinkRecords: (records) => store.append(buffer, records.map(DataRecord.toJsonText))
  })

/** The `memory` sink factory, writing into `store`. */
export const factory = (store: MemoryStore): SinkFactory.SinkFactory =>
  SinkFactory.withParams({
    kind,
    params: SinkParams,
    build: (params, spec) => Effect.succeed(SinkFactory.handle(make(store, params.buffer ?? spec.name)))
  })
