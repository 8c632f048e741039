/// <reference lib="dom" />
import t from 'tap'
import { browser, chromiumMissing } from './browser.js'
import { consoleGateway } from './gateway.js'

t.setTimeout(120_000)

// Preact runs a component's effects after the next animation frame, or 100 ms after rendering when no frame comes
// (a page in the background, a busy machine). The page asks for the session before its first render; an answer
// that arrives before the shell has subscribed to the session store must still be shown. Here no animation frame
// ever comes, so the effects wait the full 100 ms and the local gateway answers well within them: the order a
// loaded CI machine produced now and then, every time.
t.test('the session answered before the page subscribed to it is still shown (no endless "Đang tải…")', { skip: chromiumMissing() }, async (t) => {
  const { url } = await consoleGateway(t)
  const { context, watched } = await browser(t, url)
  await context.addInitScript(() => {
    window.requestAnimationFrame = () => 0
  })
  const page = await context.newPage()
  for (const path of ['/console/', '/console/clients', '/console/audit']) {
    await page.goto(`${url}${path}`)
    const signIn = page.getByRole('heading', { name: 'Đăng nhập', exact: true })
    await signIn.waitFor({ timeout: 10_000 }).catch(() => {})
    const shown = await signIn.isVisible()
    t.ok(shown, shown ? `${path}: the sign-in page` : `${path}: still "${await page.locator('main').innerText()}"`)
  }
  t.same(watched.errors, [], 'no error in the page')
})
