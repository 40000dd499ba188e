/**
 * `ListenerSource`: what the socket-server sources (`tcp`, `syslog`) share — a `Listener` (a bound TCP
 * server or UDP socket feeding an `Intake` until Stop), the one `DataSource` that reads the intake, and
 * a `SourceFactory` that binds at build (with the build context, for a disk intake under its work root)
 * and names the bound address in the `SourceMeta` tags.
 *
 * @since 0.1.0
 */
import { Effect, pipe, type Schema, type Scope } from "effect"
import * as ParamMap from "../../config/param.js"
import type { ConfigError } from "../../errors/config.js"
import type { SourceError } from "../../errors/source.js"
import * as Tags from "../../model/tags.js"
import * as DataSource from "../../source/data-source.js"
import * as SourceFactory from "../../source/factory.js"
import type { Intake } from "./intake.js"

/** A bound server or socket that feeds an intake; `acceptConnection` serves until Stop. */
export interface Listener extends SourceFactory.ServiceAcceptor {
  /** The address it is bound to. */
  readonly address: string
  /** The port it is bound to (the OS's pick when asked for port 0). */
  readonly port: number
  /** Stops listening, closes what it holds and ends the intake. Idempotent. */
  readonly shutdown: Effect.Effect<void>
}

/** A built listener source: the `DataSource` the engine pulls, the listener that feeds it, and the queue between them. */
export interface Built<L extends Listener> {
  readonly source: DataSource.DataSource
  readonly acceptor: L
  readonly intake: Intake
}

/**
 * The `DataSource` reading `intake`: `receive` (and the `tryReceive` fast path) return up to
 * `batchEvents` events, then `SourceEof` once the listener stopped and the intake is drained; closing
 * it shuts the listener down.
 */
export const dataSource = (identifier: string, intake: Intake, batchEvents: number, listener: Listener): DataSource.DataSource =>
  DataSource.make({
    identifier,
    receive: intake.take(batchEvents),
    tryReceive: () => intake.poll(batchEvents),
    close: listener.shutdown
  })

/**
 * A factory for a listener source of `kind`: params checked with `params` (in `validateSpec` and
 * `build`), `make` binds at once (a port in use fails the build) and gets the build context (a disk
 * intake lives under its work root), and the source's `SourceMeta` tags are the spec's tags plus
 * `metaTags` (the bound address and port). The acceptor is named `<kind>:<name>`.
 */
export const factory = <A, I>(options: {
  readonly kind: string
  readonly params: Schema.Schema<A, I>
  readonly make: (
    name: string,
    params: A,
    tags: Tags.Tags,
    ctx: SourceFactory.SourceBuildCtx
  ) => Effect.Effect<Built<Listener>, ConfigError | SourceError, Scope.Scope>
  readonly metaTags: (params: A, listener: Listener) => { readonly [key: string]: string }
}): SourceFactory.SourceFactory => {
  const decode = (spec: SourceFactory.ResolvedSourceSpec) =>
    Effect.zip(ParamMap.decodeParams(options.params, spec.params, "params"), Tags.fromStrings(spec.tags))
  return SourceFactory.make({
    kind: options.kind,
    params: options.params,
    validateSpec: (spec) => Effect.asVoid(decode(spec)),
    build: (spec, ctx) =>
      Effect.gen(function*() {
        const [params, tags] = yield* decode(spec)
        const { acceptor, source } = yield* options.make(spec.name, params, tags, ctx)
        const meta = SourceFactory.meta(spec.name, options.kind, Tags.merge(tags, Tags.make(options.metaTags(params, acceptor))))
        return pipe(
          SourceFactory.svcIns,
          SourceFactory.pushSource(SourceFactory.handle(source, meta)),
          SourceFactory.withAcceptor(SourceFactory.acceptorHandle(`${options.kind}:${spec.name}`, acceptor))
        )
      })
  })
}
