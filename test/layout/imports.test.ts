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
