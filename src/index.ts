/**
 * wp-connector-api, Effect-TS edition: the connector API of the WarpParse log/ETL engine.
 * This module mirrors the Rust crate's `lib.rs` re-exports.
 *
 * @since 0.1.0
 */

// Errors (section 4)
export { type Coded, type CodedFacet, isCoded } from "./errors/coded.js"
export { ConfigError } from "./errors/config.js"
export { describeCause } from "./errors/describe.js"
export * from "./errors/processor.js"
export * from "./errors/sink.js"
export * from "./errors/source.js"
export * from "./errors/unified.js"

// Configuration-time interfaces (section 1)
export * as ConnectorKindAdapter from "./config/adapter.js"
export * as ConnectorDef from "./config/def.js"
export * as FixedParam from "./config/fixed-param.js"
export * as ParamMap from "./config/param.js"
export * as ParamSchema from "./config/param-schema.js"
export * as ParamTypes from "./config/param-types.js"
export * as SecretParam from "./config/secret-param.js"
export * as Suggest from "./config/suggest.js"

// Model
export * as DataRecord from "./model/record.js"
export * as RawData from "./model/raw.js"
export * as Tags from "./model/tags.js"

// Source runtime (section 3)
export * as ControlPlane from "./source/control.js"
export { ControlEvent, type CtrlRx, SeekPosition } from "./source/control.js"
export * as DataSource from "./source/data-source.js"
export type { SourceCaps } from "./source/data-source.js"
export * as SourceEvent from "./source/event.js"
export type { AckToken, EventPreHook, SourceBatch } from "./source/event.js"
export * as QueueReceive from "./source/queue-receive.js"
export * as SourceFactory from "./source/factory.js"
export type {
  AcceptorHandle,
  ResolvedSourceSpec,
  ServiceAcceptor,
  SourceBuildCtx,
  SourceHandle,
  SourceMeta,
  SourceSvcIns
} from "./source/factory.js"

// Sink runtime (section 2)
export * as SinkFactory from "./sink/factory.js"
export type { ResolvedSinkSpec, SinkBuildCtx, SinkHandle } from "./sink/factory.js"
export * as AsyncSink from "./sink/sink.js"
/** How a sink writes records encoded ahead (at routing time): `encode`, `write`, an optional `separator` and `bytes`. */
export * as RecordEncoder from "./sink/record-encoder.js"
/** A growing byte buffer an encoder writes UTF-8 into (`RecordEncoder.Bytes`). */
export * as ByteBuilder from "./sink/byte-builder.js"
/** A record's JSON (`DataRecord.toJsonText`) written straight into a `ByteBuilder`. */
export * as JsonBytes from "./sink/json-bytes.js"

// Processing: processors between a source and the sink groups
export * as Processor from "./processing/processor.js"
export * as ProcessorChain from "./processing/chain.js"
export * as ProcessorKind from "./processing/processor-kind.js"
export * as BuiltinProcessors from "./processing/builtins.js"
export * as FieldPath from "./processing/field-path.js"

// Registration
export * as ConnectorRegistry from "./registry/registry.js"

// Projects (connector defs + topology in TOML)
export * as Project from "./project/project.js"

// The pipeline engine
export * as Engine from "./runtime/engine.js"
export * as EngineMetrics from "./runtime/metrics.js"
export * as Filter from "./runtime/filter.js"
export * as Pipeline from "./runtime/pipeline.js"
export * as Prometheus from "./runtime/prometheus.js"
export * as ReloadPlan from "./runtime/reload-plan.js"
export * as RunReport from "./runtime/report.js"
export * as Runner from "./runtime/runner.js"

// Built-in connectors
export * as BuiltinConnectors from "./connectors/builtins.js"
export * as MemoryStore from "./connectors/memory/store.js"
