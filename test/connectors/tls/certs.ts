/**
 * Certificates made at test time with `openssl` (P-256 keys, fast) in a temp dir removed when the
 * Scope closes: a CA, a server certificate for 127.0.0.1 and localhost, a client certificate (its key
 * also encrypted with a passphrase), a server certificate from another CA, an expired server
 * certificate, an expired client certificate, and a server certificate naming only another host.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, type Scope } from "effect"

/** Paths of the made files. */
export interface Certs {
  readonly dir: string
  /** The CA that signed `server`, `client`, `expired`, `expiredClient` and `otherName`. */
  readonly ca: string
  /** Another CA, that signed `foreign`. */
  readonly otherCa: string
  /** For 127.0.0.1 and localhost. */
  readonly server: { readonly cert: string; readonly key: string }
  readonly client: { readonly cert: string; readonly key: string }
  /** `client.key` encrypted with `passphrase`. */
  readonly encryptedClientKey: string
  readonly passphrase: string
  /** A server certificate for 127.0.0.1/localhost signed by `otherCa`. */
  readonly foreign: { readonly cert: string; readonly key: string }
  /** A server certificate for 127.0.0.1/localhost that expired yesterday. */
  readonly expired: { readonly cert: string; readonly key: string }
  /** A client certificate that expired yesterday. */
  readonly expiredClient: { readonly cert: string; readonly key: string }
  /** A server certificate naming only `elsewhere.example`. */
  readonly otherName: { readonly cert: string; readonly key: string }
}

/** Where Debian puts it. */
const openssl = fs.existsSync("/usr/bin/openssl") ? "/usr/bin/openssl" : "openssl"

const run = (dir: string, args: ReadonlyArray<string>): void => {
  try {
    execFileSync(openssl, args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] })
  } catch (e) {
    // the TLS tests need it: they fail, never skip, saying how to get it
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new Error("openssl is not installed: apt-get install -y openssl")
    throw e
  }
}

const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

/** Makes a CA `name` (`name.crt`, `name.key`). */
const makeCa = (dir: string, name: string): void =>
  run(dir, ["req", "-x509", ...newKey, "-keyout", `${name}.key`, "-out", `${name}.crt`, "-days", "3650", "-subj", `/CN=wpc test ${name}`])

let serial = 1

/** Makes `name.crt`/`name.key` signed by `ca`, valid for `days` (-1: expired), with the extensions of `ext`. */
const makeLeaf = (dir: string, name: string, ca: string, cn: string, ext: string, days: number): { cert: string; key: string } => {
  fs.writeFileSync(path.join(dir, `${name}.ext`), ext)
  run(dir, ["req", ...newKey, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`])
  run(dir, [
    "x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.crt`, "-CAkey", `${ca}.key`, "-set_serial", String(serial++),
    "-days", String(days), "-out", `${name}.crt`, "-extfile", `${name}.ext`
  ])
  return { cert: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) }
}

const serverExt = "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
const clientExt = "extendedKeyUsage=clientAuth\n"

/** Makes every certificate in a fresh temp dir, removed when the Scope closes. */
export const makeCerts: Effect.Effect<Certs, never, Scope.Scope> = Effect.acquireRelease(
  Effect.sync((): Certs => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wpc-tls-"))
    makeCa(dir, "ca")
    makeCa(dir, "other-ca")
    const client = makeLeaf(dir, "client", "ca", "wpc client", clientExt, 365)
    const passphrase = "key-pass-1234"
    const encryptedClientKey = path.join(dir, "client-encrypted.key")
    run(dir, ["pkey", "-in", client.key, "-aes256", "-passout", `pass:${passphrase}`, "-out", encryptedClientKey])
    return {
      dir,
      ca: path.join(dir, "ca.crt"),
      otherCa: path.join(dir, "other-ca.crt"),
      server: makeLeaf(dir, "server", "ca", "localhost", serverExt, 365),
      client,
      encryptedClientKey,
      passphrase,
      foreign: makeLeaf(dir, "foreign", "other-ca", "localhost", serverExt, 365),
      expired: makeLeaf(dir, "expired", "ca", "localhost", serverExt, -1),
      expiredClient: makeLeaf(dir, "expired-client", "ca", "wpc client", clientExt, -1),
      otherName: makeLeaf(dir, "other-name", "ca", "elsewhere.example", "subjectAltName=DNS:elsewhere.example\nextendedKeyUsage=serverAuth\n", 365)
    }
  }),
  (certs) => Effect.sync(() => fs.rmSync(certs.dir, { recursive: true, force: true }))
)
