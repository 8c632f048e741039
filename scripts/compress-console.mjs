#!/usr/bin/env node
// After `vite build`: writes .br and .gz beside each text asset of dist/console (served pre-compressed by
// @fastify/static), prints what a first load costs (index.html's script and the modules it imports statically),
// and fails when that JavaScript is over the budget of 300 KB compressed (issue 16).
import { readFile, readdir, writeFile } from 'node:fs/promises'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

const root = join(dirname(dirname(fileURLToPath(import.meta.url))), 'dist', 'console')
const BUDGET = 300 * 1024
const sizes = new Map()

async function walk (dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) { await walk(path); continue }
    if (!/\.(js|css|html|svg|json)$/.test(entry.name)) continue
    const body = await readFile(path)
    const br = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })
    const gz = gzipSync(body, { level: 9 })
    await writeFile(`${path}.br`, br)
    await writeFile(`${path}.gz`, gz)
    sizes.set(path.slice(root.length + 1), { raw: body.length, br: br.length, gz: gz.length, body: body.toString('utf8') })
  }
}

await walk(root)
const entry = /<script type="module"[^>]*src="\/console\/([^"]+)"/.exec(sizes.get('index.html').body)[1]
const firstLoad = new Set()
const visit = (file) => {
  if (firstLoad.has(file) || !sizes.has(file)) return
  firstLoad.add(file)
  // static imports only (`import{…}from"./x.js"` / `import"./x.js"`); dynamic import() chunks load per page
  for (const m of sizes.get(file).body.matchAll(/(?:^|[;}\s])import\s*(?:[\w{},\s*$]+from\s*)?["']\.\/([^"']+\.js)["']/g)) visit(join(dirname(file), m[1]))
}
visit(entry)
const sum = (files, k) => [...files].reduce((s, f) => s + sizes.get(f)[k], 0)
const allJs = [...sizes.keys()].filter((f) => f.endsWith('.js'))
const kb = (n) => `${(n / 1024).toFixed(1)} KB`
console.log(`console first load: ${firstLoad.size} script(s), ${kb(sum(firstLoad, 'raw'))} raw, ${kb(sum(firstLoad, 'br'))} brotli, ${kb(sum(firstLoad, 'gz'))} gzip`)
console.log(`console all pages: ${allJs.length} scripts, ${kb(sum(allJs, 'br'))} brotli, ${kb(sum(allJs, 'gz'))} gzip`)
if (sum(firstLoad, 'gz') > BUDGET) {
  console.error(`the console's first load is over its budget of ${kb(BUDGET)} compressed JavaScript`)
  process.exit(1)
}
