import { connect } from 'node:net'
import type { Answer } from './verdict.js'

export interface WireAnswer extends Answer {
  /** The status line and headers exactly as they came. */
  head: string
}

export interface Exchange {
  answers: WireAnswer[]
  /** The server closed the connection (rather than our timeout ending the wait). */
  closed: boolean
  /** Bytes that did not parse as HTTP responses. */
  rest: string
}

/** Parses the HTTP/1.1 responses in `data`; `heads` marks the ones answering HEAD (no body whatever they say). */
export function parseResponses (data: Buffer, heads: boolean[] = []): { answers: WireAnswer[], rest: string } {
  const answers: WireAnswer[] = []
  let at = 0
  while (at < data.length) {
    const end = data.indexOf('\r\n\r\n', at)
    if (end < 0) break
    const head = data.subarray(at, end).toString('latin1')
    const match = /^HTTP\/1\.[01] (\d{3})/.exec(head)
    if (match === null) break
    const headers: Record<string, string | string[]> = {}
    for (const line of head.split('\r\n').slice(1)) {
      const i = line.indexOf(':')
      const name = line.slice(0, i).trim().toLowerCase()
      const value = line.slice(i + 1).trim()
      const had = headers[name]
      headers[name] = had === undefined ? value : [had, value].flat()
    }
    let bodyStart = end + 4
    const status = Number(match[1])
    let body: Buffer
    if (status < 200 || status === 204 || status === 304 || heads[answers.length] === true) {
      body = Buffer.alloc(0)
    } else if (String(headers['transfer-encoding']).toLowerCase() === 'chunked') {
      const parts: Buffer[] = []
      for (;;) {
        const eol = data.indexOf('\r\n', bodyStart)
        if (eol < 0) { bodyStart = data.length; break }
        const size = Number.parseInt(data.subarray(bodyStart, eol).toString('latin1'), 16)
        if (!(size > 0)) { bodyStart = eol + 4; break }
        parts.push(data.subarray(eol + 2, eol + 2 + size))
        bodyStart = eol + 2 + size + 2
      }
      body = Buffer.concat(parts)
    } else if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length'])
      body = data.subarray(bodyStart, bodyStart + length)
      bodyStart += length
    } else {
      body = data.subarray(bodyStart)
      bodyStart = data.length
    }
    at = bodyStart
    if (status >= 200) answers.push({ status, headers, body: body.toString('utf8'), head })
  }
  return { answers, rest: data.subarray(at).toString('latin1') }
}

/**
 * Writes raw bytes to the server and collects what comes back until the server closes the connection, or
 * `waitMs` pass without it doing so. `halfClose` sends FIN after the bytes (the server sees the end of the
 * request stream: how an incomplete request is made to fail at once instead of waiting for a timeout).
 */
export async function exchange (port: number, bytes: Buffer, opts: { halfClose?: boolean, waitMs?: number, heads?: boolean[] } = {}): Promise<Exchange> {
  return await new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true })
    const chunks: Buffer[] = []
    let done = false
    const finish = (closed: boolean): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      resolve({ ...parseResponses(Buffer.concat(chunks), opts.heads), closed })
    }
    const timer = setTimeout(() => finish(false), opts.waitMs ?? 5000)
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.once('end', () => finish(true))
    socket.once('close', () => finish(true))
    socket.once('error', () => finish(true))
    socket.once('connect', () => {
      socket.write(bytes)
      if (opts.halfClose === true) socket.end()
    })
  })
}
