import type { FastifyReply, FastifyRequest } from 'fastify'

/** The lookup APIs' answer for an identifier that is well-formed but unknown. */
export const notFound = (reply: FastifyReply): FastifyReply =>
  reply.code(404).send({ error: 'NOT_FOUND' })

/** The lookup APIs' answer for a body that is not one of the accepted shapes. */
export const invalidRequest = (reply: FastifyReply, message: string): FastifyReply =>
  reply.code(400).send({ error: 'INVALID_REQUEST', message })

/** The JSON body as a plain object (empty when absent or not an object). */
export function bodyOf (req: FastifyRequest): Record<string, unknown> {
  const body = req.body
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? body as Record<string, unknown> : {}
}

/** A string field of the body, or undefined when absent or not a string. */
export function stringField (body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name]
  return typeof value === 'string' ? value : undefined
}
