import t from 'tap'
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { fromRoot } from '../../src/lib/repo-root.js'

/** Every .ts file under a folder of the repository, as paths relative to the repository. */
async function sources (folder: string): Promise<string[]> {
  const entries = await readdir(fromRoot(folder), { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(fromRoot(), join(e.parentPath, e.name)))
}

/** The specifiers a file imports or re-exports from. */
async function importsOf (file: string): Promise<string[]> {
  const text = await readFile(fromRoot(file), 'utf8')
  return [...text.matchAll(/^(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1])
}

t.test('connector types depend only on the connector contract (and their own files and npm packages)', async (t) => {
  const wrong: string[] = []
  for (const file of await sources('connectors')) {
    for (const spec of await importsOf(file)) {
      if (spec.startsWith('../../src/') && spec !== '../../src/connectors/contract.js') wrong.push(`${file}: ${spec}`)
    }
  }
  t.same(wrong, [])
})

t.test('tracing lives in src/tracing: the audit trail imports no OpenTelemetry and no tracing module', async (t) => {
  const wrong: string[] = []
  for (const file of await sources('src/audit')) {
    for (const spec of await importsOf(file)) {
      if (spec.startsWith('@opentelemetry/') || spec.includes('/tracing/')) wrong.push(`${file}: ${spec}`)
    }
  }
  t.same(wrong, [])
})

/** The modules a process loads before it runs: the static, non-type imports reachable from `entry`, packages by name. */
async function staticClosure (entry: string): Promise<{ files: Set<string>, packages: Set<string> }> {
  const files = new Set<string>()
  const packages = new Set<string>()
  const todo = [entry]
  while (todo.length > 0) {
    const file = todo.pop() as string
    if (files.has(file)) continue
    files.add(file)
    const text = await readFile(fromRoot(file), 'utf8')
    for (const m of text.matchAll(/^(import|export)\s+(type\s)?[^'"]*?from\s+'([^']+)'|^import\s+'([^']+)'/gm)) {
      if (m[2] !== undefined) continue
      const spec = m[3] ?? m[4]
      if (spec.startsWith('.')) todo.push(relative(fromRoot(), join(fromRoot(file), '..', spec.replace(/\.js$/, '.ts'))))
      else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0])
    }
  }
  return { files, packages }
}

t.test('a production gateway loads no development piece and no exporter it does not use (issue 19: memory)', async (t) => {
  const server = await staticClosure('src/server.ts')
  t.ok(server.files.has('src/app.ts') && server.packages.has('fastify'), 'the closure is followed')
  const devOnly = ['oidc-provider', 'pkijs', 'asn1js']
  t.same([...server.packages].filter((p) => devOnly.includes(p)), [], 'the OpenID provider and the TSA code are imported only when used')
  t.same([...server.files].filter((f) => f.startsWith('src/dev/') || f.startsWith('src/simulators/')), [], 'development services and simulators only when they run')
  const tracing = await staticClosure('src/tracing.ts')
  t.same([...tracing.packages].filter((p) => p.startsWith('@opentelemetry/exporter-trace') || p.startsWith('@opentelemetry/exporter-metrics') || p.startsWith('@opentelemetry/propagator-') || p === '@opentelemetry/sdk-node'), [],
    'the OTLP exporters and the non-W3C propagators only for the configured protocol')
})
