/**
 * `ListenerFactory`: the `SourceFactory` of a listener source (`tcp`, `syslog`) — params checked in
 * `validateSpec` and `build`, the port bound at build (a port in use fails the build), the source's
 * `SourceMeta` tags naming the bound address — whose `make` also gets the build context, for a disk
 * intake under its work root.
 *
 * @since 0.1.0
 */
import { Effect, pipe, type Schema, type Scope } from "effect"
import * as ParamMap from "../../config/param.js"
import type { ConfigError } from "../../errors/config.js"
import type { SourceError } from "../../errors/source.js"
import * as Tags from "../../model/tags.js"
import * as SourceFactory from "../../source/factory.js"
import type { Built, Listener } from "../tcp/listener-source.js"

/**
 * A factory for a listener source of `kind`: params checked with `params`, `make` binds at once, and the
 * source's `SourceMeta` tags are the spec's tags plus `metaTags` (the bound address and port). The
 * acceptor is named `<kind>:<name>`.
 */
export const make = <A, I>(options: {
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
