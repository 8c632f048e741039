/// <reference lib="dom" />
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import type { TestLike } from '../helper.js'

/** Debian's Chromium (`apt-get install chromium`); browser downloads are not reachable here. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const chromiumMissing = (): string | false =>
  existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (CI's .ci/run does)`

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']

export interface Watched {
  /** Console errors and uncaught exceptions of the console's own pages. */
  errors: string[]
  /** CSP violations reported by the pages. */
  csp: string[]
  /** Every URL the browser asked for. */
  urls: string[]
}

/** A fresh Chromium profile, closed and removed at teardown; every page watched for errors, CSP reports, URLs. */
export async function browser (t: TestLike, consoleOrigin: string): Promise<{ context: BrowserContext, watched: Watched }> {
  const dir = await mkdtemp(join(tmpdir(), 'lienthong-chromium-'))
  const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 900 }, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' })
  t.teardown(async () => { await context.close(); await rm(dir, { recursive: true, force: true }) })
  const watched: Watched = { errors: [], csp: [], urls: [] }
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __csp: string[] }).__csp ??= []
      ;(window as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI}`)
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)
    })
  })
  const watch = (page: Page): void => {
    page.on('console', (m) => {
      if (m.type() === 'error' && (m.location().url.startsWith(consoleOrigin) || m.text().startsWith('CSP'))) watched.errors.push(`${m.text()} @ ${m.location().url}`)
      if (m.text().startsWith('CSP violation')) watched.csp.push(m.text())
    })
    page.on('pageerror', (e) => { watched.errors.push(`uncaught: ${e.message}`) })
    page.on('request', (r) => { watched.urls.push(r.url()) })
  }
  context.pages().forEach(watch)
  context.on('page', watch)
  return { context, watched }
}

const axeSource = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** axe-core's serious and critical violations of the page as it is now (WCAG 2.1 A and AA rules). */
export async function axeProblems (page: Page): Promise<string[]> {
  // evaluated through the DevTools protocol, which the page's CSP does not govern (no inline <script> tag)
  await page.evaluate(await axeSource)
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: Array<{ id: string, impact: string, nodes: Array<{ target: unknown }> }> }> } }).axe
    return await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
  })
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)
}
