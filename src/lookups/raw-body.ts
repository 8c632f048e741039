import type { FastifyInstance, FastifyRequest } from 'fastify'

const kRaw = Symbol('lienthong.rawBody')
type WithRaw = FastifyRequest & { [kRaw]?: Uint8Array }

/**
 * JSON bodies of this (encapsulated) context parsed as fastify does by default, with the bytes kept: the audit
 * hashes what the caller sent, instead of serialising the parsed body again (issue 22 #5).
 */
export function keepRawJson (app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser(app.initialConfig.onProtoPoisoning ?? 'error', app.initialConfig.onConstructorPoisoning ?? 'ignore')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer
    // its own memory, not a view of a shared pool: it is copied to the audit thread whole
    ;(request as WithRaw)[kRaw] = bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes)
    parse(request, body as unknown as string, done) // the default parser takes bytes as well as text (secure-json-parse)
  })
}

/** The bytes of a JSON body parsed by `keepRawJson`, if any. */
export const rawBodyOf = (request: FastifyRequest): Uint8Array | undefined => (request as WithRaw)[kRaw]
