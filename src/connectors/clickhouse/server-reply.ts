/**
 * What a ClickHouse answer other than 200 means for the batch. ClickHouse names its exception in the
 * body (`Code: 60, e.displayText() = DB::Exception: Table default.t doesn't exist.`; newer servers
 * also in the `X-ClickHouse-Exception-Code` header) and answers most of them with 500, the bad values
 * too: the code, not the status, says whether a retry can help.
 *
 * - Retryable: the server is overloaded or a dependency is down (`TOO_MANY_SIMULTANEOUS_QUERIES`,
 *   `TOO_MANY_PARTS`, `MEMORY_LIMIT_EXCEEDED`, `QUOTA_EXPIRED`, `TABLE_IS_READ_ONLY`, ZooKeeper and
 *   replica errors: `ResourceError` 203, transient), it timed out (`TIMEOUT_EXCEEDED`,
 *   `SOCKET_TIMEOUT`: `TimeoutError` 204) or lost a connection (`NETWORK_ERROR`: 202); an answer
 *   without an exception code with status 429, 502, 503, 504 or another 5xx (a proxy in front of the
 *   server) is a transient `ResourceError` (203), 408 a `TimeoutError` (204).
 * - Not retryable (the engine rescues the batch with the server's message): values the table cannot
 *   take (parse and type errors, an unknown field with `skip_unknown = false`: `DataError` 200), a
 *   missing database, table or column (`NotFoundError` 102), refused credentials or rights
 *   (`PermissionError` 103), anything else (`ExternalError` 301).
 *
 * @since 0.2.0
 */
import { SinkError } from "../../errors/sink.js"
import { UnifiedReason } from "../../errors/unified.js"
import type { Reply } from "./http-client.js"

/** ClickHouse exception codes of a server that is busy or degraded now: the same insert may succeed later. */
const overloaded: ReadonlySet<number> = new Set([
  201, // QUOTA_EXPIRED
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  203, // NO_FREE_CONNECTION
  225, // NO_ZOOKEEPER
  236, // ABORTED
  241, // MEMORY_LIMIT_EXCEEDED
  242, // TABLE_IS_READ_ONLY
  252, // TOO_MANY_PARTS
  279, // ALL_CONNECTION_TRIES_FAILED
  285, // TOO_FEW_LIVE_REPLICAS
  286, // UNSATISFIED_QUORUM_FOR_PREVIOUS_WRITE
  319, // UNKNOWN_STATUS_OF_INSERT
  394, // QUERY_WAS_CANCELLED
  425, // SYSTEM_ERROR
  439, // CANNOT_SCHEDULE_TASK
  473, // DEADLOCK_AVOIDED
  999 // KEEPER_EXCEPTION
])

/** Exception codes of a server that timed out. */
const timedOut: ReadonlySet<number> = new Set([
  159, // TIMEOUT_EXCEEDED
  160, // TOO_SLOW
  209 // SOCKET_TIMEOUT
])

/** Exception codes of a server that lost a connection of its own. */
const network: ReadonlySet<number> = new Set([
  210 // NETWORK_ERROR
])

/** Exception codes of values the table cannot take. */
const badData: ReadonlySet<number> = new Set([
  6, // CANNOT_PARSE_TEXT
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA (also an unknown or repeated field)
  131, // TOO_LARGE_STRING_SIZE
  190, // SIZES_OF_ARRAYS_DOESNT_MATCH
  349 // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
])

/** Exception codes of a database, table or column that does not exist. */
const missing: ReadonlySet<number> = new Set([
  16, // NO_SUCH_COLUMN_IN_TABLE
  47, // UNKNOWN_IDENTIFIER
  60, // UNKNOWN_TABLE
  81 // UNKNOWN_DATABASE
])

/** Exception codes of refused credentials or rights. */
const permission: ReadonlySet<number> = new Set([
  164, // READONLY (the user's profile is read-only)
  192, // UNKNOWN_USER
  193, // WRONG_PASSWORD
  194, // REQUIRED_PASSWORD
  195, // IP_ADDRESS_NOT_ALLOWED
  291, // DATABASE_ACCESS_DENIED
  497, // ACCESS_DENIED
  516 // AUTHENTICATION_FAILED
])

/** The exception code of `reply`: its header, else the `Code: N` its body starts with. */
export const exceptionCode = (reply: Reply): number | undefined => {
  const text = reply.exceptionCode ?? /^\s*Code:\s*(\d+)/.exec(reply.body)?.[1]
  if (text === undefined) return undefined
  const code = Number(text)
  return Number.isInteger(code) ? code : undefined
}

/** The most a detail quotes of the server's message. */
const maxMessage = 2000

/**
 * The server's message in `reply`, on one line: `Code: 60, e.displayText() = DB::Exception: ...` as
 * 18.x writes it becomes `Code: 60: ...`; newer servers' `Code: 60. DB::Exception: ...` is kept.
 */
export const serverMessage = (reply: Reply): string => {
  const text = reply.body
    .replace(/, e\.what\(\) = [\w:]+\s*$/, "")
    .replace(/^(Code: \d+), e\.displayText\(\) = DB::Exception: /, "$1: ")
    .replace(/\s+/g, " ")
    .trim()
  if (text.length === 0) return `HTTP ${reply.status} with an empty body`
  return text.length > maxMessage ? `${text.slice(0, maxMessage)}…` : text
}

/** The unified reason of an answer with exception code `code` (or none) and `status`, carrying `detail`. */
const reasonOf = (status: number, code: number | undefined, detail: string): UnifiedReason => {
  if (code !== undefined) {
    if (timedOut.has(code)) return UnifiedReason.timeout(detail)
    if (network.has(code)) return UnifiedReason.network(detail)
    if (permission.has(code)) return UnifiedReason.permission(detail)
    if (overloaded.has(code)) return UnifiedReason.transientResource(detail)
    if (badData.has(code)) return UnifiedReason.data(detail)
    if (missing.has(code)) return UnifiedReason.notFound(detail)
    return UnifiedReason.external(detail)
  }
  if (status === 408) return UnifiedReason.timeout(detail)
  if (status === 401 || status === 403) return UnifiedReason.permission(detail)
  if (status === 429 || status >= 500) return UnifiedReason.transientResource(detail)
  return UnifiedReason.external(detail)
}

/** The sink error of a refused request: `what` (the statement and target) refused, with the server's message. */
export const refusal = (what: string, reply: Reply): SinkError => {
  const code = exceptionCode(reply)
  return SinkError.uvs(reasonOf(reply.status, code, `${what} refused (HTTP ${reply.status}): ${serverMessage(reply)}`))
}
