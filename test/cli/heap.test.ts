import { describe, expect, it } from "@effect/vitest"
import * as Heap from "../../src/cli/heap.js"

describe("Heap", () => {
  it("wpc sets the growing factor unless the process was started with its own", () => {
    expect(Heap.setByUser([])).toBe(false)
    expect(Heap.setByUser(["--max-semi-space-size=2", "--enable-source-maps"])).toBe(false)
    expect(Heap.setByUser(["--heap-growing-percent=50"])).toBe(true)
    expect(Heap.setByUser(["--heap_growing_percent=50"])).toBe(true)
  })
})
