import { Effect, Ref } from "effect"
import { SinkFactory } from "../../src/index.js"
import { sinkConformance, sourceConformance } from "../../src/testkit/vitest.js"
import { smallDisk } from "../connectors/file/small-disk.js"
import * as Journal from "./fixtures/journal.js"
import * as Lines from "./fixtures/line-acceptor.js"
import * as Tail from "./fixtures/tail.js"

const events = ["e0", "e1", "e2", "e3", "e4"]
const closes = Ref.unsafeMake(0)

sourceConformance("journal (ack + seek, acks persisted in the work root)", {
  factory: Journal.makeSource(closes),
  spec: Journal.sourceSpec(events),
  closeCount: Ref.get(closes),
  expect: { payloads: events, batches: [2, 2, 1] },
  claims: { ack: true, seek: true }
})

sinkConformance("journal (framed file on a small disk, exact bytes)", {
  factory: Journal.sinkFactory,
  // each case on a tmpfs of its own, so that the target can be broken for real: the disk fills up
  spec: Effect.map(smallDisk(4 * 1024 * 1024), (disk) => ({
    spec: Journal.sinkSpec(),
    ctx: SinkFactory.buildCtx({ workRoot: disk.dir }),
    breakTarget: [{ name: "disk full", run: () => disk.fill() }]
  })),
  read: ({ ctx, spec }) => Journal.readJournal(Journal.journalPath(ctx.workRoot, spec))
})

sourceConformance("tail (a real file read ahead, seek, appends)", {
  factory: Tail.factory(),
  spec: Tail.setup(events),
  append: Tail.append,
  expect: { payloads: events, batches: [2, 2, 1] },
  claims: { ack: false, seek: true }
})

sourceConformance("lines (acceptor over a real socket, fed by the test)", {
  factory: Lines.factory,
  spec: Lines.spec,
  feed: Lines.feed,
  expect: { payloads: ["one", "two", "three", "four"] },
  claims: { ack: false, seek: false }
})
