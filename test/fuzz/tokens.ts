import { createHmac, generateKeyPairSync, randomUUID, sign } from 'node:crypto'

const b64u = (text: string | Buffer): string => Buffer.from(text).toString('base64url')

export interface Forger {
  /** The gateway's signing key (the test gives the gateway this PEM through JWT_PRIVATE_KEY_FILE). */
  privatePem: string
  publicPem: string
  kid: string
  issuer: string
  audience: string
}

/** A compact JWT with exactly this header and payload text, signed with `signer` (or not at all). */
function jwt (header: Record<string, unknown>, payload: string, signer?: (data: string) => Buffer): string {
  const data = `${b64u(JSON.stringify(header))}.${b64u(payload)}`
  return `${data}.${signer !== undefined ? b64u(signer(data)) : ''}`
}

const es256 = (pem: string) => (data: string): Buffer => sign('sha256', Buffer.from(data), { key: pem, dsaEncoding: 'ieee-p1363' })

/**
 * `refused`: Authorization values that must all get 401 — expired, not yet valid, wrong audience or issuer, no
 * subject, unknown/disabled/rotated clients, other keys, alg none, HS256 with the public key as secret (key
 * confusion), RS256, DER signatures, unknown and hostile kids, and structural garbage. `odd`: tokens signed with the
 * gateway's own key whose claims are odd (roles as a string, sub as an array or a number, pollution and duplicated
 * keys in the claims, a `crit` header, a 6 KB claim, an exp of 1e309 or a string): only the holder of the private key
 * can make them, so whether they pass is not an access question; they must not make a 5xx.
 */
export function hostileTokens (f: Forger, ids: { unknown: string, disabled: string, system: string }): { refused: string[], odd: string[] } {
  const now = Math.floor(Date.now() / 1000)
  const claims = (over: Record<string, unknown> = {}): Record<string, unknown> =>
    ({ sub: ids.system, roles: ['system'], jti: randomUUID(), iat: now, exp: now + 600, iss: f.issuer, aud: f.audience, ...over })
  const ours = (c: Record<string, unknown>, header: Record<string, unknown> = {}): string =>
    jwt({ alg: 'ES256', typ: 'JWT', kid: f.kid, ...header }, JSON.stringify(c), es256(f.privatePem))
  const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const validText = JSON.stringify(claims())
  const tokens = [
    ours(claims({ exp: now - 120, iat: now - 1000 })),
    ours(claims({ nbf: now + 3600 })),
    ours(claims({ aud: 'someone-else' })),
    ours(claims({ iss: 'https://evil.example' })),
    ours(claims({ sub: undefined })),
    ours(claims({ sub: ids.unknown })),
    ours(claims({ sub: ids.disabled })),
    ours(claims({ iat: now - 7200 })), // issued before the client's secret was set: a rotated-secret token
    ours(claims({ exp: undefined })),
    ours(claims(), { kid: 'unknown-kid' }),
    ours(claims(), { kid: '../../../../etc/passwd' }),
    ours(claims(), { kid: "' OR 1=1 --" }),
    ours(claims(), { kid: 'k'.repeat(5000) }),
    ours(claims(), { kid: undefined }),
    ours(claims(), { alg: 'ES384' }),
    jwt({ alg: 'ES256', kid: f.kid }, validText, es256(other)), // right kid, wrong key
    jwt({ alg: 'ES256', kid: 'other' }, validText, es256(other)),
    jwt({ alg: 'none', kid: f.kid }, validText),
    jwt({ alg: 'None' }, validText),
    jwt({ alg: 'HS256', kid: f.kid }, validText, (d) => createHmac('sha256', f.publicPem).update(d).digest()),
    jwt({ alg: 'RS256', kid: f.kid }, validText, (d) => sign('sha256', Buffer.from(d), rsa)),
    jwt({ alg: 'ES256', kid: f.kid }, validText, (d) => sign('sha256', Buffer.from(d), f.privatePem)), // DER, not P-1363
    jwt({ alg: 'ES256', kid: f.kid }, 'not json', es256(f.privatePem)),
    jwt({ alg: 'ES256', kid: f.kid }, '[]', es256(f.privatePem)),
    jwt({ alg: 'ES256', kid: f.kid }, 'null', es256(f.privatePem))
  ]
  const odd = [
    ours(claims({ roles: 'admin' })), // not an array: no role at all
    ours(claims({ sub: ['a', 'b'] })),
    ours(claims({ sub: 12345 })),
    ours(claims({ exp: '9999999999' })),
    jwt({ alg: 'ES256', typ: 'JWT', kid: f.kid }, `${validText.slice(0, -1)},"exp":1e309}`, es256(f.privatePem)), // exp overflows to Infinity
    ours(claims(), { crit: ['exp'], 'x-fuzz': true }),
    jwt({ alg: 'ES256', kid: f.kid }, `{"__proto__":{"roles":["admin"]},${validText.slice(1)}`, es256(f.privatePem)),
    jwt({ alg: 'ES256', kid: f.kid }, `{"roles":["admin"],${validText.slice(1)}`, es256(f.privatePem)), // duplicated key: the last wins
    jwt({ alg: 'ES256', kid: f.kid }, JSON.stringify(claims({ pad: 'x'.repeat(6000) })), es256(f.privatePem))
  ].map((token) => `Bearer ${token}`)
  const refused = [
    ...tokens.map((token) => `Bearer ${token}`),
    ...[
      '', 'Bearer', 'Bearer ', 'Bearer  ', 'Bearer a', 'Bearer a.b', 'Bearer a.b.c', 'Bearer a.b.c.d', 'Bearer ...',
      'Bearer ' + 'A'.repeat(10_000), 'Bearer ' + 'eyJ'.repeat(300), `Bearer ${tokens[0]} extra`, `Bearer ${tokens[0]},Bearer ${tokens[1]}`,
      'Basic ' + b64u('fuzz:fuzz'), 'Basic', 'Token abc', 'bearer', 'Bearer %00', 'Bearer null', 'Bearer undefined',
      'Bearer {"alg":"none"}', 'Negotiate YIIB', 'Digest username="x"'
    ]
  ]
  return { refused, odd }
}
