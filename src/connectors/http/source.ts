/**
 * The `http` source: an `HttpAcceptor` that takes `POST <path>` bodies into a bounded `Intake`, and one
 * `DataSource` that reads it. The build binds the port; the acceptor serves until Stop; the source then
 * drains what was queued and ends.
 *
 * @since 0.1.0
 */
import { Effect, type Scope } from "effect"
import * as ParamMap from "../../config/param.js"
import type { ConfigError } from "../../errors/config.js"
import * as Tags from "../../model/tags.js"
import * as DataSource from "../../source/data-source.js"
import * as SourceFactory from "../../source/factory.js"
import * as HttpAcceptor from "./acceptor.js"
import * as Intake from "./intake.js"
import { kind, SourceParams } from "./params.js"

/** A built HTTP source: the `DataSource` the engine pulls and the bound acceptor that feeds it. */
export interface HttpSource {
  readonly source: DataSource.DataSource
  readonly acceptor: HttpAcceptor.HttpAcceptor
}

/**
 * Binds an HTTP source named `name` in the current Scope. Its events carry `tags` plus `http_path`;
 * `receive` returns up to `batch_events` of them, and `SourceEof` once the acceptor stopped and the queue
 * is drained. A failed bind is a `ConfigError` naming addr:port.
 */
export const make = (
  name: string,
  params: SourceParams,
  tags: Tags.Tags = Tags.empty
): Effect.Effect<HttpSource, ConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    const intake = yield* Intake.make(params.queue_events)
    const acceptor = yield* HttpAcceptor.bind({ params, intake, name, tags: Tags.set(tags, "http_path", params.path) })
    const source = DataSource.make({
      identifier: `http:${name}`,
      receive: intake.take(params.batch_events),
      close: intake.close
    })
    return { source, acceptor }
  })

/**
 * The `http` source factory. `build` binds the port at once (a port in use fails the build); the
 * `SourceMeta` tags carry the bound `http_addr` and `http_port` (useful with `port = 0`).
 */
export const factory: SourceFactory.SourceFactory = SourceFactory.make({
  kind,
  validateSpec: (spec) =>
    Effect.asVoid(Effect.zipRight(ParamMap.decodeParams(SourceParams, spec.params, "params"), Tags.fromStrings(spec.tags))),
  build: (spec) =>
    Effect.gen(function*() {
      const params = yield* ParamMap.decodeParams(SourceParams, spec.params, "params")
      const tags = yield* Tags.fromStrings(spec.tags)
      const { acceptor, source } = yield* make(spec.name, params, tags)
      const metaTags = Tags.set(Tags.set(tags, "http_addr", acceptor.address), "http_port", String(acceptor.port))
      const sources = SourceFactory.pushSource(
        SourceFactory.svcIns,
        SourceFactory.handle(source, SourceFactory.meta(spec.name, kind, metaTags))
      )
      return SourceFactory.withAcceptor(sources, SourceFactory.acceptorHandle(`http:${spec.name}`, acceptor))
    })
})
