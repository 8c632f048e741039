import type { FastifyInstance } from 'fastify'
import { COMMUNE_CODE, PROVINCE_CODE, todayInVietnam, type Level } from '../../admin-units/index.js'
import { NotFound, ValidationFailed } from '../../errors.js'
import { pageOfList, pageQuery, pageSchema, readPage } from '../../lib/page.js'
import { DATE, LEVEL, PROVINCE, TAGS, getResult, province, unit } from './schemas.js'

const DEFAULT_LIMIT = 50

interface PageQuery { limit?: string, cursor?: string }
interface CommunesQuery extends PageQuery { province?: string, q?: string, asOf?: string }
interface UnitQuery { level?: Level, asOf?: string }

function invalid (path: string, message: string): Error {
  return Object.assign(new ValidationFailed(message), { errors: [{ path, message }] })
}

/** The level a code names: given, or told by its length (2 digits = province, 5 = commune). */
function levelOf (code: string, level: Level | undefined): Level {
  const chosen = level ?? (code.length === 2 ? 'province' : code.length === 5 ? 'commune' : undefined)
  if (chosen === undefined) throw invalid('/query/level', 'give level=province or level=commune: the code length does not say it')
  const ok = chosen === 'province' ? PROVINCE_CODE.test(code) : COMMUNE_CODE.test(code)
  if (!ok) throw invalid('/params/code', `a ${chosen} code is ${chosen === 'province' ? '2' : '5'} digits`)
  return chosen
}

/** Read-only views of the dated code table: provinces, communes, one code with its history and lineage. */
export default async function unitRoutes (app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: PageQuery & { asOf?: string } }>('/v1/admin-units/provinces', {
    schema: {
      tags: TAGS,
      summary: 'Provinces valid on a date (default today)',
      querystring: { type: 'object', additionalProperties: false, properties: { asOf: DATE, ...pageQuery(100, 100) } },
      response: { 200: pageSchema(province) }
    }
  }, async (request) => pageOfList(app.adminUnits.provinces(request.query.asOf), readPage(request.query, 100)))

  app.get<{ Querystring: CommunesQuery }>('/v1/admin-units/communes', {
    schema: {
      tags: TAGS,
      summary: 'Communes valid on a date, by province and name (diacritics, tone placement and prefix optional)',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { province: PROVINCE, q: { type: 'string', maxLength: 200 }, asOf: DATE, ...pageQuery(500, DEFAULT_LIMIT) }
      },
      problems: [404],
      response: { 200: pageSchema(unit) }
    }
  }, async (request) => {
    const { province: code, q } = request.query
    const asOf = request.query.asOf ?? todayInVietnam()
    if (code !== undefined && !app.adminUnits.provinces(asOf).some((p) => p.code === code)) {
      throw new NotFound(`No province has the code ${code} on ${asOf}`)
    }
    return pageOfList(app.adminUnits.communes({ province: code, q, asOf }), readPage(request.query, DEFAULT_LIMIT))
  })

  app.get<{ Params: { code: string }, Querystring: UnitQuery }>('/v1/admin-units/:code', {
    schema: {
      tags: TAGS,
      summary: 'A code on a date: the unit, its successors today, every dated version and its predecessors',
      params: { type: 'object', required: ['code'], properties: { code: { type: 'string', pattern: '^\\d{1,10}$' } } },
      querystring: { type: 'object', additionalProperties: false, properties: { level: LEVEL, asOf: DATE } },
      response: { 200: getResult }
    }
  }, async (request) => {
    const { code } = request.params
    const level = levelOf(code, request.query.level)
    const found = app.adminUnits.get(code, level, request.query.asOf)
    if (found === null) throw new NotFound(`No ${level} has ever had the code ${code}`)
    return found
  })
}
