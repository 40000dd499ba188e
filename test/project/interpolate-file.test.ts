import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "@effect/vitest"
import * as Interpolate from "../../src/project/interpolate.js"

const dirs: Array<string> = []
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

const secretFile = (content: string): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wpc-secret-"))
  dirs.push(dir)
  const file = path.join(dir, "secret")
  fs.writeFileSync(file, content)
  return file
}

describe("Interpolate.params: ${file:PATH}", () => {
  it("takes a secret (a key passphrase, a password) from a file, without its final newline, at every depth", () => {
    const file = secretFile("s3cret pass\n")
    const out = Interpolate.params({ password: `\${file:${file}}`, tls: { passphrase: `\${file:${file}}` }, both: `\${USER_X}:\${file:${file}}` }, { USER_X: "u" })
    expect(out.unresolved).toEqual([])
    expect(out.params).toEqual({ password: "s3cret pass", tls: { passphrase: "s3cret pass" }, both: "u:s3cret pass" })
  })

  it("an unreadable file is unresolved, naming the param's path and the file, never a content", () => {
    const out = Interpolate.params({ tls: { passphrase: "${file:/nonexistent/wpc/pass}" } }, {})
    expect(out.unresolved).toHaveLength(1)
    expect(out.unresolved[0]!.segments).toEqual(["tls", "passphrase"])
    expect(out.unresolved[0]!.detail).toBe(`cannot read the file of \${file:/nonexistent/wpc/pass}: ENOENT`)
  })
})
