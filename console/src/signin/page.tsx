import type { JSX } from 'preact'
import { useEffect } from 'preact/hooks'
import { t } from '../base/i18n.js'
import { announceSignedIn, loginHref, useSession } from '../base/session.js'
import { Notice, Page } from '../base/ui.js'

/** Not signed in: one link to the identity provider, returning to the page asked for. */
export function SignIn (): JSX.Element {
  const session = useSession()
  const returnTo = window.location.pathname.startsWith('/console/') ? window.location.pathname : '/console/'
  return (
    <Page title={t('signin.title')}>
      <p>{t('signin.text')}</p>
      {!session.providerConfigured && <Notice kind='warn'>{t('signin.noProvider')}</Notice>}
      <p><a class='button primary' href={loginHref(returnTo)}>{t('signin.button')}</a></p>
    </Page>
  )
}

/** The small window of a re-sign-in: tells the console's tab, then closes. */
export function SignedIn (): JSX.Element {
  useEffect(() => {
    announceSignedIn()
    const timer = setTimeout(() => { window.close() }, 300)
    return () => { clearTimeout(timer) }
  }, [])
  return <Page title={t('signin.again')}><p>{t('signin.closeWindow')}</p></Page>
}

export function Forbidden (): JSX.Element {
  return <Page title={t('forbidden.title')}><p>{t('forbidden.text')}</p></Page>
}

export function NotFoundPage (): JSX.Element {
  return <Page title={t('notFound.title')}><p><a href='/console/'>{t('notFound.home')}</a></p></Page>
}
