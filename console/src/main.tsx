import { render } from 'preact'
import { App } from './app.js'
import { lang } from './base/i18n.js'
import { loadSession } from './base/session.js'

document.documentElement.lang = lang()
void loadSession()
render(<App />, document.getElementById('app') as HTMLElement)
