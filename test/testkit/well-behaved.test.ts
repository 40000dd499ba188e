import { Ref } from "effect"
import { sinkConformance, sourceConformance } from "../../src/testkit/index.js"
import * as Journal from "./fixtures/journal.js"
import * as Lines from "./fixtures/line-acceptor.js"

const events = ["e0", "e1", "e2", "e3", "e4"]
const closes = Ref.unsafeMake(0)

sourceConformance("journal (ack + seek, acks persisted in the work root)", {
  factory: Journal.makeSource(closes),
  spec: Journal.sourceSpec(events),
  closeCount: Ref.get(closes),
  expect: { payloads: events, batches: [2, 2, 1] },
  claims: { ack: true, seek: true }
})

sinkConformance("journal (framed file, exact bytes)", {
  factory: Journal.sinkFactory,
  spec: Journal.sinkSpec(),
  read: ({ ctx, spec }) => Journal.readJournal(Journal.journalPath(ctx.workRoot, spec))
})

sourceConformance("lines (acceptor over a real socket, fed by the test)", {
  factory: Lines.factory,
  spec: Lines.spec,
  feed: Lines.feed,
  expect: { payloads: ["one", "two", "three", "four"] },
  claims: { ack: false, seek: false }
})
