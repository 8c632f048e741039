import { existsSync } from 'node:fs'
import type { FastifyInstance, FastifyReply } from 'fastify'
import fastifyStatic from '@fastify/static'
import { fromRoot } from '../../lib/repo-root.js'
import { NotFound, ServiceUnavailable } from '../../errors.js'
import authRoutes from './auth.js'

/**
 * The console's Content-Security-Policy: its own scripts, styles and API only — no inline script or style, no
 * eval, no other origin, not framed.
 */
export const CONSOLE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
  "connect-src 'self'", "manifest-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"
].join('; ')

const IMMUTABLE = 'public, max-age=31536000, immutable'

/**
 * The pages are not API: their query string belongs to the app's router (a return address after sign-in may carry
 * one), so a page accepts any query rather than the API's 400 for an undeclared parameter.
 */
const PAGE = { hide: true, querystring: { type: 'object', additionalProperties: true } } as const

/**
 * /console/: the built single-page app (dist/console, `npm run build`) and its sign-in routes. Hashed assets
 * are cached for a year; index.html is revalidated on every load, so a new build reaches every browser at once.
 */
export default async function consoleRoutes (app: FastifyInstance): Promise<void> {
  await app.register(authRoutes)
  const root = fromRoot('dist', 'console')
  const built = existsSync(`${root}/index.html`)
  app.addHook('onRequest', (request, reply, done) => {
    if (request.url.startsWith('/console')) void reply.header('content-security-policy', CONSOLE_CSP)
    done()
  })
  app.get('/console', { schema: PAGE }, async (_request, reply) => await reply.redirect('/console/', 301))
  if (!built) {
    app.get('/console/*', { schema: PAGE }, async () => {
      throw new ServiceUnavailable('The console is not built: run `npm run build`')
    })
    return
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/console/',
    wildcard: false,
    index: false,
    preCompressed: true,
    cacheControl: false,
    serveDotFiles: false,
    setHeaders: (res, path) => {
      res.setHeader('cache-control', path.includes('/assets/') ? IMMUTABLE : 'no-cache')
    }
  })
  const page = async (_request: unknown, reply: FastifyReply): Promise<FastifyReply> =>
    await reply.header('cache-control', 'no-cache').sendFile('index.html')
  // Every other path under /console/ is a page of the app (its router reads the path).
  app.get('/console/', { schema: PAGE }, page)
  app.get('/console/*', { schema: PAGE }, async (request, reply) => {
    if ((request.params as { '*': string })['*'].startsWith('assets/')) {
      throw new NotFound(`No console asset ${request.url.split('?')[0]}`)
    }
    return await page(request, reply)
  })
}
