/**
 * `ParamTypes`: the refinements connectors' params Schemas share — counts, sizes, ports, addresses,
 * timeouts — each defined once with one description, so that a bad value gets the same message
 * whichever connector it was written for.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/** An integer of at least 1: a count, a size or a batch that may not be zero. */
export const Positive = Schema.Int.pipe(Schema.greaterThanOrEqualTo(1)).annotations({ description: "an integer >= 1" })

/** An integer of at least 0: a count or a size where 0 means none. */
export const NonNegative = Schema.Int.pipe(Schema.greaterThanOrEqualTo(0)).annotations({ description: "an integer >= 0" })

/** A port to listen on: 0 lets the OS pick a free one. */
export const ListenPort = Schema.Int.pipe(Schema.between(0, 65535)).annotations({ description: "an integer between 0 and 65535" })

/** A port to connect to. */
export const ConnectPort = Schema.Int.pipe(Schema.between(1, 65535)).annotations({ description: "an integer between 1 and 65535" })

/** A host name or IP address to listen on or connect to. */
export const Addr = Schema.NonEmptyTrimmedString.annotations({ description: "a host name or IP address, e.g. 127.0.0.1" })

/** Seconds a connection may stay silent before it is closed; 0 turns the timeout off. */
export const IdleTimeout = Schema.Int.pipe(Schema.greaterThanOrEqualTo(0)).annotations({
  description: "an integer >= 0 (seconds; 0 turns it off)"
})

/** A duration in milliseconds (a timeout, a poll or block interval): at least 1. */
export const Millis = Schema.Int.pipe(Schema.greaterThanOrEqualTo(1)).annotations({ description: "an integer >= 1 (milliseconds)" })
