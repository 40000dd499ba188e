/**
 * `Rescue`: where batches go that a sink could not take (retries exhausted, or a failure that is
 * not retryable): one JSON line per event, with the sink, the error code and detail, appended and
 * fsynced before the batch counts as held. A batch is acked only once the rescue holds it. A failed append
 * leaves the file as it was; a torn last line (a crash mid-append) is ended before the next append.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { SinkError } from "../errors/sink.js"
import * as Tags from "../model/tags.js"
import type { SourceEvent } from "../source/event.js"

/** Why a batch was rescued. */
export interface RescueReason {
  readonly code: number
  readonly reason: string
  readonly detail: string
}

/** Appends rescued events to files under a directory. */
export interface Rescue {
  /** The directory that holds the rescue files. */
  readonly dir: string
  /** Appends `events` that `group/sink` could not take; fails only if the file cannot be written. */
  readonly write: (group: string, sink: string, events: ReadonlyArray<SourceEvent>, why: RescueReason) => Effect.Effect<void, SinkError>
  /** Appends events that `group/sink` could not take, each with its own reason (a processor's failures). */
  readonly writeEach: (group: string, sink: string, entries: ReadonlyArray<readonly [SourceEvent, RescueReason]>) => Effect.Effect<void, SinkError>
  /** The file that holds what `group/sink` could not take. */
  readonly fileOf: (group: string, sink: string) => string
}

const safe = (name: string): string => name.replace(/[^A-Za-z0-9._-]/g, "_")

/** One rescued event as a JSON line. */
export const line = (group: string, sink: string, event: SourceEvent, why: RescueReason, at: string): string => {
  const payload = typeof event.payload === "string"
    ? { payload: event.payload }
    : { payload_b64: Buffer.from(event.payload.buffer, event.payload.byteOffset, event.payload.byteLength).toString("base64") }
  return JSON.stringify({
    time: at,
    group,
    sink,
    code: why.code,
    reason: why.reason,
    detail: why.detail,
    event: {
      event_id: event.eventId,
      src_key: event.srcKey,
      ...payload,
      tags: Tags.toRecord(event.tags),
      ...(event.upsIp === undefined ? {} : { ups_ip: event.upsIp })
    }
  })
}

/**
 * Appends `text` to `file` durably and whole: a file whose last byte is not a newline (a crash mid-append)
 * gets one first, so the new lines are never glued onto a torn one; a write that fails partway (a full disk)
 * is cut back to the size the file had, so the rescue never holds a torn line of its own making.
 */
const appendWhole = async (file: string, text: string): Promise<void> => {
  const handle = await fs.open(file, "a+")
  try {
    const { size } = await handle.stat()
    let prefix = ""
    if (size > 0) {
      const last = Buffer.alloc(1)
      await handle.read(last, 0, 1, size - 1)
      if (last[0] !== 0x0a) prefix = "\n"
    }
    try {
      await handle.writeFile(prefix + text)
      await handle.sync()
    } catch (cause) {
      await handle.truncate(size).catch(() => undefined)
      throw cause
    }
  } finally {
    await handle.close()
  }
}

/** A rescue writing `<dir>/<group>__<sink>.jsonl`. */
export const make = (dir: string): Rescue => {
  const fileOf = (group: string, sink: string) => path.join(dir, `${safe(group)}__${safe(sink)}.jsonl`)
  const writeEach = (group: string, sink: string, entries: ReadonlyArray<readonly [SourceEvent, RescueReason]>) =>
    Effect.tryPromise({
      try: async () => {
        await fs.mkdir(dir, { recursive: true })
        const at = new Date().toISOString()
        let text = ""
        for (const [e, why] of entries) text += line(group, sink, e, why, at) + "\n"
        await appendWhole(fileOf(group, sink), text)
      },
      catch: (cause) => SinkError.stgCtrl(`rescue file ${fileOf(group, sink)} could not be written`, cause)
    })
  return {
    dir,
    fileOf,
    writeEach,
    write: (group, sink, events, why) => writeEach(group, sink, events.map((e) => [e, why] as const))
  }
}
