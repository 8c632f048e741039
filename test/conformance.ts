import { PassThrough, Readable } from 'node:stream'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import type { Ajv } from 'ajv'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { addIdentifierFormats } from '../src/catalog/formats.js'

/** What the conformance check reads of an OpenAPI 3.1 document. */
interface MediaType { schema?: object }
interface Response { content?: Record<string, MediaType> }
interface Operation { security?: unknown[], responses: Record<string, Response> }
export interface Document {
  security?: unknown[]
  paths: Record<string, Record<string, Operation>>
}

/** One response as the client saw it. */
export interface Exchange {
  method: string
  path: string
  status: number
  contentType?: string
  body: string
  authenticated: boolean
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'])
const essence = (type: string | undefined): string => (type ?? '').split(';')[0].trim().toLowerCase()
const escape = (s: string): string => s.replaceAll('~', '~0').replaceAll('/', '~1')

/**
 * Checks real responses against an OpenAPI document, as a contract-testing proxy would: the operation exists,
 * the status is documented for it, the content type is one it documents, the body matches the schema (each line of
 * NDJSON), an operation behind a bearer token did not succeed without one. A response to a path or method the
 * document does not have must be a problem+json error.
 */
export class Conformance {
  readonly #doc: Document
  readonly #ajv: Ajv
  readonly #validators = new Map<string, ValidateFunction>()
  readonly #paths: Array<{ template: string, pattern: RegExp }>

  constructor (doc: Document) {
    this.#doc = doc
    this.#ajv = addIdentifierFormats(new Ajv2020({ strict: false, allErrors: true, validateFormats: true }) as unknown as Ajv)
    this.#ajv.addSchema(doc as object, 'openapi')
    // concrete paths before templated ones (OpenAPI: "concrete paths are matched before their templated counterparts")
    this.#paths = Object.keys(doc.paths)
      .map((template) => ({ template, pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^/{}]+\\?\}/g, '[^/]+')}$`) }))
      .sort((a, b) => (a.template.match(/\{/g) ?? []).length - (b.template.match(/\{/g) ?? []).length)
  }

  #validator (pointer: string): ValidateFunction {
    let v = this.#validators.get(pointer)
    if (v === undefined) {
      v = this.#ajv.compile({ $ref: `openapi#${pointer}` })
      this.#validators.set(pointer, v)
    }
    return v
  }

  #problem (x: Exchange, why: string): string[] {
    if (x.status < 400) return [`${why}, yet it answered ${x.status}`]
    if (essence(x.contentType) !== 'application/problem+json') return [`${why}: its ${x.status} is ${x.contentType ?? 'without content-type'}, not problem+json`]
    return this.#body(x, '/components/schemas/problem', 'application/problem+json')
  }

  #body (x: Exchange, pointer: string, media: string): string[] {
    const validate = this.#validator(pointer)
    const texts = media.endsWith('ndjson') ? x.body.split('\n').filter((l) => l !== '') : [x.body]
    const out: string[] = []
    for (const text of texts) {
      let value: unknown = text
      if (media.endsWith('json')) {
        try {
          value = JSON.parse(text)
        } catch {
          out.push(`the ${x.status} body is not JSON`)
          continue
        }
      }
      if (!validate(value)) {
        out.push(`the ${x.status} body does not match its schema: ${this.#ajv.errorsText(validate.errors, { dataVar: 'body' })}`)
      }
    }
    return out
  }

  /** What is wrong with one exchange: empty when it conforms. */
  check (x: Exchange): string[] {
    const found = this.#paths.find((p) => p.pattern.test(x.path))
    if (found === undefined) return this.#problem(x, `${x.path} is not in the document`)
    const item = this.#doc.paths[found.template]
    const method = x.method.toLowerCase() === 'head' ? 'get' : x.method.toLowerCase()
    const op = METHODS.has(method) ? item[method] : undefined
    if (op === undefined) return this.#problem(x, `${x.method} ${found.template} is not in the document`)
    const where = `/paths/${escape(found.template)}/${method}`
    const key = [String(x.status), `${String(x.status)[0]}XX`, 'default'].find((k) => op.responses[k] !== undefined)
    if (key === undefined) return [`${x.method} ${found.template} answered ${x.status}, which it does not document`]
    const out: string[] = []
    const secured = (op.security ?? this.#doc.security ?? []).length > 0
    if (secured && !x.authenticated && x.status < 400) out.push(`${x.method} ${found.template} needs a bearer token but answered ${x.status} without one`)
    if (x.method.toUpperCase() === 'HEAD') return out
    const content = op.responses[key].content
    if (content === undefined) {
      if (x.body !== '') out.push(`the ${x.status} of ${x.method} ${found.template} has a body the document does not describe`)
      return out
    }
    const media = essence(x.contentType)
    if (content[media] === undefined) {
      return [...out, `the ${x.status} of ${x.method} ${found.template} is ${x.contentType ?? 'without content-type'}; the document says ${Object.keys(content).join(' or ')}`]
    }
    if (content[media].schema === undefined) return out
    return [...out, ...this.#body(x, `${where}/responses/${key}/content/${escape(media)}/schema`, media)]
  }
}

const checkers = new Map<string, Conformance>()

/** One checker per document text in this process (building one compiles nothing; validators are compiled on first use). */
function checkerFor (doc: Document): Conformance {
  const text = JSON.stringify(doc)
  let c = checkers.get(text)
  if (c === undefined) {
    c = new Conformance(JSON.parse(text) as Document)
    checkers.set(text, c)
  }
  return c
}

export interface ConformanceOptions {
  /** Changes the document checked against (a test that proves the check can fail). */
  tamper?: (doc: Document) => void
}

/**
 * Checks every response of `app` against its own OpenAPI document (GET /openapi.json) and reports each mismatch
 * through `fail` (tap's t.fail in test/helper.ts build()). Add before `ready()`. The interactive docs (/docs) are
 * not part of the API and are not checked.
 */
export function checkResponses (app: FastifyInstance, fail: (message: string) => void, opts: ConformanceOptions = {}): void {
  let checker: Conformance | undefined
  const judge = (request: FastifyRequest, reply: FastifyReply, body: string): void => {
    if (checker === undefined) {
      const doc = structuredClone(app.swagger()) as unknown as Document
      opts.tamper?.(doc)
      checker = checkerFor(doc)
    }
    const path = request.url.split('?')[0]
    const x: Exchange = {
      method: request.method,
      path,
      status: reply.statusCode,
      contentType: reply.getHeader('content-type') as string | undefined,
      body,
      authenticated: request.headers.authorization !== undefined
    }
    for (const why of checker.check(x)) fail(`OpenAPI conformance: ${request.method} ${path} → ${x.status}: ${why}`)
  }
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.url.startsWith('/docs') || request.routeOptions.schema?.hide === true) {
      done(null, payload)
      return
    }
    if (payload instanceof Readable) {
      const chunks: Buffer[] = []
      const copy = new PassThrough()
      copy.on('data', (c: Buffer) => chunks.push(Buffer.from(c)))
      copy.on('end', () => judge(request, reply, Buffer.concat(chunks).toString('utf8')))
      done(null, payload.pipe(copy))
      return
    }
    judge(request, reply, payload === null || payload === undefined ? '' : String(payload))
    done(null, payload)
  })
}
