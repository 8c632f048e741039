import { createHash, randomBytes } from 'node:crypto'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'

/** OIDs of RFC 3161 / RFC 5652 / RFC 5816 used here. */
export const OID = {
  sha256: '2.16.840.1.101.3.4.2.1',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  extKeyUsage: '2.5.29.37',
  timeStamping: '1.3.6.1.5.5.7.3.8'
} as const

const arrayBuffer = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer

/** An RFC 3161 TimeStampReq (DER) for a sha256 imprint, with a fresh nonce and the TSA's certificate asked for. */
export function timeStampRequest (digestHex: string): { der: Buffer, nonce: Buffer } {
  const nonce = randomBytes(8)
  nonce[0] &= 0x7f // a positive INTEGER
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
      hashedMessage: new asn1js.OctetString({ valueHex: arrayBuffer(Buffer.from(digestHex, 'hex')) })
    }),
    nonce: new asn1js.Integer({ valueHex: arrayBuffer(nonce) }),
    certReq: true
  })
  return { der: Buffer.from(req.toSchema().toBER(false)), nonce }
}

/** A Certificate from PEM or DER. */
export function parseCertificate (pemOrDer: string | Buffer): pkijs.Certificate {
  const text = typeof pemOrDer === 'string' ? pemOrDer : pemOrDer.toString('latin1')
  const der = text.includes('-----BEGIN CERTIFICATE-----')
    ? Buffer.from(text.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''), 'base64')
    : Buffer.from(pemOrDer as Buffer)
  return pkijs.Certificate.fromBER(arrayBuffer(der))
}

export function certificatePem (cert: pkijs.Certificate): string {
  const b64 = Buffer.from(cert.toSchema().toBER(false)).toString('base64')
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`
}

/**
 * The token of a TSA's answer (DER of its ContentInfo), after checking that the TSA granted the request and
 * answered it: the same imprint and nonce. Throws otherwise.
 */
export function tokenOfResponse (der: Buffer, digestHex: string, nonce: Buffer): Buffer {
  const resp = pkijs.TimeStampResp.fromBER(arrayBuffer(der))
  const status = resp.status.status
  if (status !== 0 && status !== 1) throw new Error(`the time-stamping authority refused the request (status ${status})`)
  if (resp.timeStampToken === undefined) throw new Error('the time-stamping authority answered without a token')
  const tst = tstInfoOf(resp.timeStampToken)
  if (Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView).toString('hex') !== digestHex) throw new Error('the token is for another imprint')
  if (tst.nonce === undefined || !Buffer.from(tst.nonce.valueBlock.valueHexView).equals(nonce)) throw new Error('the token does not carry the nonce of the request')
  return Buffer.from(resp.timeStampToken.toSchema().toBER(false))
}

function tstInfoOf (token: pkijs.ContentInfo): pkijs.TSTInfo {
  if (token.contentType !== OID.signedData) throw new Error('the token is not CMS SignedData')
  const signed = new pkijs.SignedData({ schema: token.content })
  if (signed.encapContentInfo.eContentType !== OID.tstInfo || signed.encapContentInfo.eContent === undefined) throw new Error('the token does not hold a TSTInfo')
  return pkijs.TSTInfo.fromBER(signed.encapContentInfo.eContent.getValue())
}

export type TokenCheck = { ok: true, genTime: Date } | { ok: false, reason: string }

/**
 * Verifies a time-stamp token (DER of its ContentInfo) for `data`: the imprint is sha256(data), the CMS signature
 * holds, and the signer's certificate chains to one of `trusted` and was valid at the token's time (a token of
 * another TSA, or signed after its certificate expired, is refused).
 */
export async function verifyToken (tokenDer: Buffer, data: Buffer, trusted: pkijs.Certificate[]): Promise<TokenCheck> {
  let token: pkijs.ContentInfo
  let tst: pkijs.TSTInfo
  try {
    token = pkijs.ContentInfo.fromBER(arrayBuffer(tokenDer))
    tst = tstInfoOf(token)
  } catch (err) {
    return { ok: false, reason: `unreadable token: ${(err as Error).message}` }
  }
  const imprint = Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView)
  if (tst.messageImprint.hashAlgorithm.algorithmId !== OID.sha256 || !imprint.equals(createHash('sha256').update(data).digest())) {
    return { ok: false, reason: 'the token is for another imprint' }
  }
  if (trusted.length === 0) return { ok: false, reason: 'no time-stamping authority certificate is trusted' }
  const at = tst.genTime
  try {
    const signed = new pkijs.SignedData({ schema: token.content })
    // The signature over the TSTInfo first (signed attributes included), with the certificate the token carries.
    const result = await signed.verify({ signer: 0, data: arrayBuffer(data), checkChain: false, extendedMode: true })
    const signer = result.signerCertificate
    if (result.signatureVerified !== true || signer == null) return { ok: false, reason: 'the token signature does not hold' }
    if (!hasTimeStampingUsage(signer)) return { ok: false, reason: 'the token is signed by a certificate not meant for time-stamping' }
    const der = Buffer.from(signer.toSchema().toBER(false))
    const pinned = trusted.some((c) => Buffer.from(c.toSchema().toBER(false)).equals(der))
    if (pinned) {
      // The trusted certificate is the TSA's own: it must have been valid when the token was made.
      if (at < signer.notBefore.value || at > signer.notAfter.value) return { ok: false, reason: 'the TSA certificate was not valid at the time of the token (expired or not yet valid)' }
    } else {
      // Otherwise the TSA's certificate must chain to a trusted authority, each certificate valid at that time.
      const chain = await new pkijs.CertificateChainValidationEngine({ certs: [signer], trustedCerts: trusted, checkDate: at }).verify()
      if (!chain.result) return { ok: false, reason: `the token is not from a trusted time-stamping authority (${chain.resultMessage})` }
    }
  } catch (err) {
    return { ok: false, reason: `the token cannot be verified: ${(err as Error).message}` }
  }
  return { ok: true, genTime: at }
}

/** The certificate's extended key usage names time-stamping (RFC 3161 §2.3). */
function hasTimeStampingUsage (cert: pkijs.Certificate): boolean {
  const ext = cert.extensions?.find((e) => e.extnID === OID.extKeyUsage)
  if (ext === undefined) return false
  const eku = ext.parsedValue instanceof pkijs.ExtKeyUsage ? ext.parsedValue : new pkijs.ExtKeyUsage({ schema: asn1js.fromBER(ext.extnValue.getValue()).result })
  return eku.keyPurposes.includes(OID.timeStamping)
}
