import { useChanges } from './subscribe.js'

export type PersonRole = 'admin' | 'auditor'
export interface Person { sub: string, name: string, roles: PersonRole[] }
export interface SessionState { loading: boolean, signedIn: boolean, providerConfigured: boolean, person?: Person, csrf?: string }

let state: SessionState = { loading: true, signedIn: false, providerConfigured: true }
const listeners = new Set<() => void>()
const CHANNEL = 'lienthong-console'

function set (next: SessionState): void {
  state = next
  for (const l of listeners) l()
}

export const csrfToken = (): string => state.csrf ?? ''
export const hasRole = (role: PersonRole): boolean => state.person?.roles.includes(role) === true

/** Who is signed in (the gateway keeps the tokens; the page gets only the name, roles and CSRF token). */
export async function loadSession (): Promise<SessionState> {
  try {
    const res = await fetch('/console/auth/session', { credentials: 'same-origin', cache: 'no-store' })
    const body = await res.json() as Omit<SessionState, 'loading'>
    set({ ...body, loading: false })
  } catch {
    set({ loading: false, signedIn: false, providerConfigured: true })
  }
  return state
}

export function useSession (): SessionState {
  return useChanges(listeners, () => state)
}

export const loginHref = (returnTo: string): string => `/console/auth/login?returnTo=${encodeURIComponent(returnTo)}`

/** Expiry: the page asks the person to sign in again (reauth dialog) and waits; undefined when none is pending. */
let pending: { promise: Promise<void>, resolve: () => void } | undefined
const reauthListeners = new Set<(open: boolean) => void>()

export function onReauth (l: (open: boolean) => void): () => void {
  reauthListeners.add(l)
  return () => { reauthListeners.delete(l) }
}

/** Resolves once the person has signed in again (in another window); the caller then retries its call. */
export async function reauthenticate (): Promise<void> {
  if (pending === undefined) {
    let resolve = (): void => {}
    const promise = new Promise<void>((_resolve) => { resolve = _resolve })
    pending = { promise, resolve }
    for (const l of reauthListeners) l(true)
  }
  await pending.promise
}

/** Opens the provider's sign-in in a small window; when it comes back, the waiting calls go on. */
export function reauthInWindow (): void {
  const w = window.open(loginHref('/console/signed-in'), 'lienthong-reauth', 'popup,width=520,height=680')
  // A blocked window: sign in in this tab instead (what is typed is lost, the page is the same).
  if (w === null) window.location.assign(loginHref(window.location.pathname))
}

// The window that signed in again announces it on a same-origin channel (no window.opener: the pages are
// cross-origin-isolated by COOP).
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : undefined
channel?.addEventListener('message', (e: MessageEvent) => {
  if (e.data !== 'signed-in') return
  void loadSession().then(() => {
    const p = pending
    pending = undefined
    for (const l of reauthListeners) l(false)
    p?.resolve()
  })
})

export function announceSignedIn (): void { channel?.postMessage('signed-in') }

export async function signOut (): Promise<void> {
  const res = await fetch('/console/auth/logout', { method: 'POST', headers: { 'x-csrf-token': csrfToken() }, credentials: 'same-origin' })
  const { endSessionUrl } = await res.json() as { endSessionUrl: string }
  set({ loading: false, signedIn: false, providerConfigured: true })
  window.location.assign(endSessionUrl)
}
