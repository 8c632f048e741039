import { randomBytes, webcrypto } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import { OID, certificatePem, parseCertificate } from '../audit/tsa/token.js'

/** The development TSA's signing identity: an ECDSA P-256 key and a self-signed certificate for time-stamping. */
export interface TsaIdentity { key: webcrypto.CryptoKey, cert: pkijs.Certificate, certPem: string }

const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const

export interface IdentityOptions {
  /** Common name in the certificate (tests make "foreign" authorities with another one). */
  name?: string
  notBefore?: Date
  notAfter?: Date
}

/** A new key and self-signed certificate: key usage digitalSignature, extended key usage timeStamping (critical). */
export async function newTsaIdentity (opts: IdentityOptions = {}): Promise<TsaIdentity> {
  const { privateKey, publicKey } = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])
  const cert = new pkijs.Certificate()
  cert.version = 2
  const serial = randomBytes(12)
  serial[0] &= 0x7f
  cert.serialNumber = new asn1js.Integer({ valueHex: serial.buffer.slice(serial.byteOffset, serial.byteOffset + serial.byteLength) as ArrayBuffer })
  const cn = new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value: opts.name ?? 'Lien thong development TSA' }) })
  cert.issuer.typesAndValues.push(cn)
  cert.subject.typesAndValues.push(cn)
  const now = Date.now()
  cert.notBefore.value = opts.notBefore ?? new Date(now - 86_400_000)
  cert.notAfter.value = opts.notAfter ?? new Date(now + 10 * 365 * 86_400_000)
  const eku = new pkijs.ExtKeyUsage({ keyPurposes: [OID.timeStamping] })
  const usage = new asn1js.BitString({ valueHex: new Uint8Array([0x80]).buffer, unusedBits: 7 }) // digitalSignature
  cert.extensions = [
    new pkijs.Extension({ extnID: OID.extKeyUsage, critical: true, extnValue: eku.toSchema().toBER(false), parsedValue: eku }),
    new pkijs.Extension({ extnID: '2.5.29.15', critical: true, extnValue: usage.toBER(false) })
  ]
  await cert.subjectPublicKeyInfo.importKey(publicKey)
  await cert.sign(privateKey, 'SHA-256')
  return { key: privateKey, cert, certPem: certificatePem(cert) }
}

/**
 * The identity kept under `dir` (tsa-key.pem, tsa-cert.pem), made on first use: the gateway's trust in the tokens
 * of earlier runs survives restarts.
 */
export async function storedTsaIdentity (dir: string): Promise<TsaIdentity> {
  const keyFile = join(dir, 'tsa-key.pem')
  const certFile = join(dir, 'tsa-cert.pem')
  try {
    const [keyPem, certPem] = await Promise.all([readFile(keyFile, 'utf8'), readFile(certFile, 'utf8')])
    const der = Buffer.from(keyPem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '').replace(/\s+/g, ''), 'base64')
    const key = await webcrypto.subtle.importKey('pkcs8', der, ALG, false, ['sign'])
    return { key, cert: parseCertificate(certPem), certPem }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const id = await newTsaIdentity()
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', id.key)).toString('base64')
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await writeFile(keyFile, `-----BEGIN PRIVATE KEY-----\n${pkcs8.replace(/.{1,64}/g, '$&\n')}-----END PRIVATE KEY-----\n`, { mode: 0o600 })
  await writeFile(certFile, id.certPem)
  return id
}
