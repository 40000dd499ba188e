/**
 * `freePort`: a TCP port on 127.0.0.1 that nobody listens on right now.
 *
 * @since 0.1.0
 */
import * as net from "node:net"
import { Effect } from "effect"
import * as ConformanceFailure from "./conformance-failure.js"

/**
 * Binds 127.0.0.1:0, reads the port the OS picked, closes the listener and returns the port.
 * (Another process may take it before you bind it; listening on port 0 yourself is race-free.)
 */
export const freePort: Effect.Effect<number, ConformanceFailure.ConformanceFailure> = Effect.async((resume) => {
  const server = net.createServer()
  server.unref()
  server.once("error", (error) => resume(Effect.fail(ConformanceFailure.make("freePort", `cannot bind 127.0.0.1:0: ${error.message}`))))
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = address !== null && typeof address === "object" ? address.port : 0
    server.close(() =>
      resume(port > 0 ? Effect.succeed(port) : Effect.fail(ConformanceFailure.make("freePort", "the OS gave no port")))
    )
  })
  return Effect.sync(() => {
    if (server.listening) server.close()
  })
})
