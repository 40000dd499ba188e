/**
 * The `nats` client library, imported on first use: a program that never builds a `nats` connector
 * never loads it (`import "wp-connector-api"` and `wpc --version` stay free of it).
 *
 * @since 0.1.0
 */

/** Imports the `nats` package. */
const importClient = () => import("nats")

/** The `nats` package's module, as a dynamic import returns it. */
export type Client = Awaited<ReturnType<typeof importClient>>

let loading: Promise<Client> | undefined = undefined

/** Imports `nats` once; every later call returns the same import. */
export const load = (): Promise<Client> => (loading ??= importClient())
