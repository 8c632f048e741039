import { createHash, randomBytes } from 'node:crypto'
import Fastify from 'fastify'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import { OID } from '../audit/tsa/token.js'
import type { TsaIdentity } from './tsa-cert.js'

/** The policy under which the development TSA stamps (a private arc: no real-world meaning). */
export const DEV_TSA_POLICY = '1.3.6.1.4.1.55555.3161.1'

const ab = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer
const sha256 = (b: ArrayBuffer | Uint8Array): ArrayBuffer => ab(createHash('sha256').update(new Uint8Array(b)).digest())

/** The answer to one TimeStampReq: a granted TimeStampResp whose token is signed by `id` at `now`. */
export async function stamp (reqDer: Buffer, id: TsaIdentity, now: Date): Promise<Buffer> {
  const req = pkijs.TimeStampReq.fromBER(ab(reqDer))
  if (req.messageImprint.hashAlgorithm.algorithmId !== OID.sha256) {
    // badAlg: only sha256 imprints are stamped
    const refused = new pkijs.TimeStampResp({ status: new pkijs.PKIStatusInfo({ status: 2, failInfo: new asn1js.BitString({ valueHex: new Uint8Array([0x80]).buffer, unusedBits: 7 }) }) })
    return Buffer.from(refused.toSchema().toBER(false))
  }
  const serial = randomBytes(16)
  serial[0] &= 0x7f
  const tst = new pkijs.TSTInfo({
    version: 1,
    policy: DEV_TSA_POLICY,
    messageImprint: req.messageImprint,
    serialNumber: new asn1js.Integer({ valueHex: ab(serial) }),
    genTime: now,
    accuracy: new pkijs.Accuracy({ seconds: 1 }),
    ...(req.nonce !== undefined ? { nonce: req.nonce } : {})
  })
  const tstDer = tst.toSchema().toBER(false)
  const certDer = id.cert.toSchema().toBER(false)
  // RFC 5816 signingCertificateV2: SEQUENCE { SEQUENCE OF ESSCertIDv2 { certHash } } (sha256, the default)
  const signingCert = new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: sha256(certDer) })] })] })] })
  const signed = new pkijs.SignedData({
    version: 3,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.tstInfo, eContent: new asn1js.OctetString({ valueHex: tstDer }) }),
    signerInfos: [new pkijs.SignerInfo({
      version: 1,
      sid: new pkijs.IssuerAndSerialNumber({ issuer: id.cert.issuer, serialNumber: id.cert.serialNumber }),
      signedAttrs: new pkijs.SignedAndUnsignedAttributes({
        type: 0,
        attributes: [
          new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.tstInfo })] }),
          new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: sha256(tstDer) })] }),
          new pkijs.Attribute({ type: OID.signingCertificateV2, values: [signingCert] })
        ]
      })
    })],
    certificates: req.certReq === true ? [id.cert] : undefined
  })
  await signed.sign(id.key, 0, 'SHA-256')
  const token = new pkijs.ContentInfo({ contentType: OID.signedData, content: signed.toSchema(true) })
  const resp = new pkijs.TimeStampResp({ status: new pkijs.PKIStatusInfo({ status: 0 }), timeStampToken: token })
  return Buffer.from(resp.toSchema().toBER(false))
}

export interface DevTsaOptions {
  identity: TsaIdentity
  host?: string
  /** Fixed port (the embedded default: SIMULATOR_BASE_PORT + 40); 0 or absent: a free one. */
  port?: number
  /** The TSA's clock (tests). */
  clock?: () => Date
}

export interface DevTsa { url: string, certPem: string, close (): Promise<void> }

/**
 * A development time-stamping authority (RFC 3161 over HTTP: POST application/timestamp-query, answer
 * application/timestamp-reply), run by the embedded default next to the simulators and by the tests. Not a
 * production TSA: its key sits on the same host as the gateway.
 */
export async function startDevTsa (opts: DevTsaOptions): Promise<DevTsa> {
  const app = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 16_384 })
  app.addContentTypeParser('application/timestamp-query', { parseAs: 'buffer' }, (_req, body, done) => { done(null, body) })
  app.post('/', async (request, reply) => {
    if (!Buffer.isBuffer(request.body)) return await reply.code(415).send()
    let answer: Buffer
    try {
      answer = await stamp(request.body, opts.identity, opts.clock?.() ?? new Date())
    } catch {
      return await reply.code(400).send()
    }
    return await reply.type('application/timestamp-reply').send(answer)
  })
  const url = await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 })
  return { url: `${url}/`, certPem: opts.identity.certPem, close: async () => { await app.close() } }
}
