import type { FastifyServerOptions } from 'fastify'
import pino, { type DestinationStream } from 'pino'

/**
 * stdout for the logs: with `bufferBytes` > 0 lines are gathered and written asynchronously in blocks of that size
 * (pino flushes what is left when the process exits); 0 writes each line synchronously.
 */
export function logDestination (bufferBytes: number): DestinationStream {
  return pino.destination({ dest: 1, sync: bufferBytes === 0, minLength: bufferBytes })
}

/**
 * Structured pino logs that never carry a credential or a personal identifier: no bodies are logged,
 * URLs are logged without their query string (an auditor's `subject=` search carries an identifier),
 * and known secret-bearing fields are redacted wherever they appear.
 */
export function loggerOptions (level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization', 'req.headers.cookie', '*.client_secret', '*.clientSecret', '*.password',
        '*.secret', '*.personalId', '*.taxCode', '*.socialInsuranceCode', '*.healthInsuranceCardNo', '*.session'
      ],
      censor: '[redacted]'
    },
    serializers: {
      req (req: { method: string, url: string, id: string, ip?: string }) {
        return { id: req.id, method: req.method, path: req.url.split('?')[0], ip: req.ip }
      }
    }
  }
}
