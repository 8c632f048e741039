import type { FastifyServerOptions } from 'fastify'
import pino, { type DestinationStream } from 'pino'

/** How long a line may wait in the buffer when little is logged (a quiet gateway's start-up lines, say). */
const FLUSH_EVERY_MS = 1000

/**
 * stdout for the logs: with `bufferBytes` > 0 lines are gathered and written asynchronously in blocks of that size,
 * and at least once a second (pino flushes what is left when the process exits); 0 writes each line synchronously.
 * The flush timer ends with the stream.
 */
export function logDestination (bufferBytes: number): DestinationStream {
  const stream = pino.destination({ dest: 1, sync: bufferBytes === 0, minLength: bufferBytes })
  if (bufferBytes > 0) {
    const timer = setInterval(() => { if (!(stream as { destroyed?: boolean }).destroyed) stream.flush() }, FLUSH_EVERY_MS).unref()
    stream.on('close', () => { clearInterval(timer) })
  }
  return stream
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
