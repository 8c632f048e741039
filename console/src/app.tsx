import type { JSX } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { LocationProvider, Router, Route, lazy, useLocation } from 'preact-iso'
import { setLang, t, useLang, type MessageKey } from './base/i18n.js'
import { hasRole, onReauth, reauthInWindow, signOut, useSession, type PersonRole } from './base/session.js'
import { Loading } from './base/ui.js'
import { SignIn, SignedIn, Forbidden, NotFoundPage } from './signin/page.js'

const Overview = lazy(async () => (await import('./overview/page.js')).Overview)
const Clients = lazy(async () => (await import('./clients/page.js')).Clients)
const Connectors = lazy(async () => (await import('./connectors/page.js')).Connectors)
const ConnectorEdit = lazy(async () => (await import('./connectors/edit.js')).ConnectorEdit)
const Routing = lazy(async () => (await import('./connectors/routing.js')).Routing)
const Deliveries = lazy(async () => (await import('./deliveries/page.js')).Deliveries)
const ConfigPage = lazy(async () => (await import('./config/page.js')).ConfigPage)
const AdminUnits = lazy(async () => (await import('./admin-units/page.js')).AdminUnits)
const AuditSearch = lazy(async () => (await import('./audit/search.js')).AuditSearch)
const Trace = lazy(async () => (await import('./audit/trace.js')).Trace)
const Verify = lazy(async () => (await import('./audit/verify.js')).Verify)

interface NavItem { href: string, label: MessageKey, role: PersonRole }
const NAV: NavItem[] = [
  { href: '/console/', label: 'nav.overview', role: 'admin' },
  { href: '/console/clients', label: 'nav.clients', role: 'admin' },
  { href: '/console/connectors', label: 'nav.connectors', role: 'admin' },
  { href: '/console/routing', label: 'nav.routing', role: 'admin' },
  { href: '/console/deliveries', label: 'nav.deliveries', role: 'admin' },
  { href: '/console/config', label: 'nav.config', role: 'admin' },
  { href: '/console/admin-units', label: 'nav.adminUnits', role: 'admin' },
  { href: '/console/audit', label: 'nav.audit', role: 'auditor' },
  { href: '/console/audit/verify', label: 'nav.verify', role: 'auditor' }
]

/** A page only for holders of `role`; others get the refusal page and no call is made. */
function guarded (role: PersonRole, Component: (p: Record<string, unknown>) => JSX.Element | null) {
  return function Guarded (props: Record<string, unknown>): JSX.Element | null {
    return hasRole(role) ? <Component {...props} /> : <Forbidden />
  }
}

function Home (): JSX.Element {
  if (hasRole('admin')) return <Overview />
  if (hasRole('auditor')) return <AuditSearch />
  return <Forbidden />
}

function Nav (): JSX.Element {
  const { path } = useLocation()
  const items = NAV.filter((i) => hasRole(i.role))
  return (
    <nav aria-label={t('nav.label')}>
      <ul>
        {items.map((i) => (
          <li key={i.href}>
            <a href={i.href} aria-current={path === i.href || (i.href !== '/console/' && i.href !== '/console/audit' && path.startsWith(i.href)) || (i.href === '/console/audit' && (path === '/console/audit' || path.startsWith('/console/audit/traces'))) ? 'page' : undefined}>{t(i.label)}</a>
          </li>
        ))}
      </ul>
    </nav>
  )
}

/** The session expired: a dialog to sign in again in a small window; the page underneath stays as it is. */
function ReauthDialog (): JSX.Element {
  const ref = useRef<HTMLDialogElement>(null)
  const [open, setOpen] = useState(false)
  useEffect(() => onReauth(setOpen), [])
  useEffect(() => {
    if (open && ref.current !== null && !ref.current.open) ref.current.showModal()
    if (!open && ref.current?.open === true) ref.current.close()
  }, [open])
  return (
    <dialog ref={ref} aria-labelledby='reauth-title' onCancel={(e) => { e.preventDefault() }}>
      <h2 id='reauth-title'>{t('session.expiredTitle')}</h2>
      <p>{t('session.expiredText')}</p>
      <div class='actions'><button type='button' class='primary' onClick={reauthInWindow}>{t('session.signInAgain')}</button></div>
    </dialog>
  )
}

function LangSwitch (): JSX.Element {
  const current = useLang()
  return (
    <div class='lang' role='group' aria-label={t('lang.label')}>
      <button type='button' class='link' aria-pressed={current === 'vi'} lang='vi' onClick={() => { setLang('vi') }}>Tiếng Việt</button>
      <button type='button' class='link' aria-pressed={current === 'en'} lang='en' onClick={() => { setLang('en') }}>English</button>
    </div>
  )
}

function Shell (): JSX.Element {
  const language = useLang()
  const session = useSession()
  const { path } = useLocation()
  if (path === '/console/signed-in') return <main id='main'><SignedIn /></main>
  return (
    <>
      <a class='skip' href='#main'>{t('nav.skip')}</a>
      <header class='top'>
        <a class='brand' href='/console/'>{t('app.title')}</a>
        <LangSwitch />
        {session.signedIn && session.person !== undefined && (
          <div class='who'>
            <span>{session.person.name} <span class='muted'>({session.person.roles.map((r) => t(`role.${r}`)).join(', ')})</span></span>
            <button type='button' class='secondary' onClick={() => { void signOut() }}>{t('session.signOut')}</button>
          </div>
        )}
      </header>
      {session.signedIn && <Nav />}
      {/* a new language renders every page again (their messages are read at render) */}
      <main id='main' tabIndex={-1} key={language}>
        {session.loading
          ? <Loading />
          : !session.signedIn
              ? <SignIn />
              : (
                <Router>
                  <Route path='/console/' component={Home} />
                  <Route path='/console/clients' component={guarded('admin', Clients)} />
                  <Route path='/console/connectors' component={guarded('admin', Connectors)} />
                  <Route path='/console/connectors/new' component={guarded('admin', ConnectorEdit)} />
                  <Route path='/console/connectors/:id' component={guarded('admin', ConnectorEdit)} />
                  <Route path='/console/routing' component={guarded('admin', Routing)} />
                  <Route path='/console/deliveries' component={guarded('admin', Deliveries)} />
                  <Route path='/console/config' component={guarded('admin', ConfigPage)} />
                  <Route path='/console/admin-units' component={guarded('admin', AdminUnits)} />
                  <Route path='/console/audit' component={guarded('auditor', AuditSearch)} />
                  <Route path='/console/audit/traces/:traceId' component={guarded('auditor', Trace)} />
                  <Route path='/console/audit/verify' component={guarded('auditor', Verify)} />
                  <Route default component={NotFoundPage} />
                </Router>
                )}
      </main>
      <ReauthDialog />
    </>
  )
}

export function App (): JSX.Element {
  return <LocationProvider scope={/^\/console\/(?!auth\/)/}><Shell /></LocationProvider>
}
