/**
 * `NodeBuiltins`: the Node modules only some pipelines use (TLS, HTTPS, compression, hashing, UDP),
 * each loaded the first time it is called for instead of when the program starts. A `tcp -> file`
 * pipeline never loads them, and an idle `wpc run` holds 2.5 MB less (docs/performance.md, "Footprint").
 * Types stay `import type` of the modules themselves.
 *
 * @since 0.2.0
 */
import { createRequire } from "node:module"

const load = createRequire(import.meta.url)

/** A module loaded on the first call, the same one after. */
const lazy = <A>(name: string): () => A => {
  let loaded: A | undefined
  return () => (loaded ??= load(name) as A)
}

/** `node:tls`, loaded on first use. */
export const tls = lazy<typeof import("node:tls")>("node:tls")

/** `node:https`, loaded on first use. */
export const https = lazy<typeof import("node:https")>("node:https")

/** `node:zlib`, loaded on first use. */
export const zlib = lazy<typeof import("node:zlib")>("node:zlib")

/** `node:crypto`, loaded on first use. */
export const crypto = lazy<typeof import("node:crypto")>("node:crypto")

/** `node:dgram`, loaded on first use. */
export const dgram = lazy<typeof import("node:dgram")>("node:dgram")
