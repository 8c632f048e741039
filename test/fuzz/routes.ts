import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import type { FastifyInstance, HTTPMethods, RouteOptions } from 'fastify'

export interface Route { method: HTTPMethods, url: string }

const seen = new WeakMap<FastifyInstance, Route[]>()

function onInit (message: unknown): void {
  const { fastify } = message as { fastify: FastifyInstance }
  const routes: Route[] = []
  seen.set(fastify, routes)
  fastify.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) routes.push({ method: method as HTTPMethods, url: route.url })
  })
}

/**
 * Records the routes of every fastify instance created while `create` runs, through fastify's
 * `fastify.initialization` diagnostics channel and an `onRoute` hook (fastify keeps no public list): a route added to
 * the gateway later is fuzzed without anyone editing the suite.
 */
export async function withRouteList<T extends FastifyInstance> (create: () => Promise<T>): Promise<{ app: T, routes: () => Route[] }> {
  subscribe('fastify.initialization', onInit)
  try {
    const app = await create()
    return { app, routes: () => dedupe(seen.get(app) ?? []) }
  } finally {
    unsubscribe('fastify.initialization', onInit)
  }
}

function dedupe (routes: Route[]): Route[] {
  const keys = new Set<string>()
  return routes.filter((r) => {
    const key = `${r.method} ${r.url}`
    if (keys.has(key)) return false
    keys.add(key)
    return true
  })
}
