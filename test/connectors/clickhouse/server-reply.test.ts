import { describe, expect, it } from "@effect/vitest"
import { ClickhouseServerReply } from "../../../src/connectors/clickhouse/index.js"

const reply = (status: number, body: string, exceptionCode?: string) => ({ status, body, exceptionCode })

/** The code and retryability of the refusal of `r`. */
const classify = (r: ReturnType<typeof reply>) => {
  const e = ClickhouseServerReply.refusal("INSERT", r)
  return [e.code, e.retryable]
}

describe("clickhouse server replies", () => {
  it("the exception code comes from the header when there is one, else from the body, in 18.x's and newer servers' forms", () => {
    expect(ClickhouseServerReply.exceptionCode(reply(500, "Code: 27, e.displayText() = DB::Exception: x"))).toBe(27)
    expect(ClickhouseServerReply.exceptionCode(reply(404, "Code: 60. DB::Exception: Table default.t does not exist. (UNKNOWN_TABLE) (version 23.8.1)"))).toBe(60)
    expect(ClickhouseServerReply.exceptionCode(reply(500, "Code: 1, ...", "202"))).toBe(202)
    expect(ClickhouseServerReply.exceptionCode(reply(503, "<html>Service Unavailable</html>"))).toBeUndefined()
  })

  it("the server's message is kept on one line, 18.x's wrapping trimmed", () => {
    expect(ClickhouseServerReply.serverMessage(reply(404, "Code: 60, e.displayText() = DB::Exception: Table default.t doesn't exist., e.what() = DB::Exception\n")))
      .toBe("Code: 60: Table default.t doesn't exist.")
    expect(ClickhouseServerReply.serverMessage(reply(500, "Code: 27, e.displayText() = DB::Exception: Cannot parse input: expected , before: .5}\n: (at row 1)\n, e.what() = DB::Exception\n")))
      .toBe("Code: 27: Cannot parse input: expected , before: .5} : (at row 1)")
    expect(ClickhouseServerReply.serverMessage(reply(502, ""))).toBe("HTTP 502 with an empty body")
    expect(ClickhouseServerReply.serverMessage(reply(500, "x".repeat(5000)))).toHaveLength(2001)
  })

  it("overload, timeouts and lost connections are retryable; bad data, missing objects, refused credentials and the rest are not", () => {
    // TOO_MANY_SIMULTANEOUS_QUERIES, TOO_MANY_PARTS, MEMORY_LIMIT_EXCEEDED: ResourceError, transient
    expect(classify(reply(500, "Code: 202, e.displayText() = DB::Exception: Too many simultaneous queries"))).toEqual([203, true])
    expect(classify(reply(500, "Code: 252. DB::Exception: Too many parts"))).toEqual([203, true])
    expect(classify(reply(500, "Code: 241. DB::Exception: Memory limit exceeded"))).toEqual([203, true])
    // TIMEOUT_EXCEEDED, SOCKET_TIMEOUT; NETWORK_ERROR
    expect(classify(reply(500, "Code: 159. DB::Exception: Timeout exceeded"))).toEqual([204, true])
    expect(classify(reply(500, "Code: 209. DB::Exception: Timeout"))).toEqual([204, true])
    expect(classify(reply(500, "Code: 210. DB::Exception: Connection refused"))).toEqual([202, true])
    // answers without a ClickHouse exception: a proxy in front of the server
    expect(classify(reply(503, "Service Unavailable"))).toEqual([203, true])
    expect(classify(reply(502, ""))).toEqual([203, true])
    expect(classify(reply(429, "slow down"))).toEqual([203, true])
    expect(classify(reply(408, ""))).toEqual([204, true])
    // not retryable: the data, the target, the credentials, anything else
    expect(classify(reply(500, "Code: 27, e.displayText() = DB::Exception: Cannot parse input"))).toEqual([200, false])
    expect(classify(reply(400, "Code: 26, e.displayText() = DB::Exception: Cannot parse JSON string"))).toEqual([200, false])
    expect(classify(reply(500, "Code: 117, e.displayText() = DB::Exception: Unknown field found"))).toEqual([200, false])
    expect(classify(reply(404, "Code: 60, e.displayText() = DB::Exception: Table default.t doesn't exist."))).toEqual([102, false])
    expect(classify(reply(404, "Code: 81. DB::Exception: Database nope doesn't exist"))).toEqual([102, false])
    expect(classify(reply(400, "Code: 16, e.displayText() = DB::Exception: No such column nope in table t"))).toEqual([102, false])
    expect(classify(reply(401, "Code: 193, e.displayText() = DB::Exception: Wrong password for user writer"))).toEqual([103, false])
    expect(classify(reply(500, "Code: 164. DB::Exception: Cannot execute query in readonly mode"))).toEqual([103, false])
    expect(classify(reply(403, "Forbidden"))).toEqual([103, false])
    expect(classify(reply(400, "Code: 62, e.displayText() = DB::Exception: Syntax error"))).toEqual([301, false])
    expect(classify(reply(404, "Not Found"))).toEqual([301, false])
  })

  it("the refusal's detail names the request, the status and the server's message", () => {
    const e = ClickhouseServerReply.refusal("clickhouse sink: INSERT of 3 rows into `default`.`t`", reply(404, "Code: 60, e.displayText() = DB::Exception: Table default.t doesn't exist., e.what() = DB::Exception"))
    expect(e.message).toBe("[102 Uvs] NotFoundError: clickhouse sink: INSERT of 3 rows into `default`.`t` refused (HTTP 404): Code: 60: Table default.t doesn't exist.")
  })
})
