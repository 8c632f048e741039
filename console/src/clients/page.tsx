import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { allItems, patch, post } from '../base/api.js'
import { fieldErrors } from '../base/field-errors.js'
import { formatDateTime, t } from '../base/i18n.js'
import { grantable, services } from '../base/services.js'
import { Badge, Checkbox, CheckboxGroup, CopyButton, ErrorBox, Loading, Notice, Page, TextArea, TextField, useConfirm, useLoad } from '../base/ui.js'

/** A grant: a service id (any national procedure code as the purpose), or the service with the purposes it allows. */
export type Grant = string | { service: string, purposes: string[] }

export interface Client {
  id: string
  name: string
  roles: string[]
  grants: Grant[]
  /** Agency ids or patterns (`000.00.*.H29`) this client acts for in dossier and progress calls. */
  agencies: string[]
  enabled: boolean
  limits: { perSecond?: number, perDay?: number }
  version: number
  secretRotatedAt?: string
  createdAt?: string
}

const ROLES: Array<[string, string]> = [['system', 'system'], ['admin', 'admin'], ['auditor', 'auditor']]

export const serviceOf = (g: Grant): string => typeof g === 'string' ? g : g.service
const purposesOf = (g: Grant): string[] | undefined => typeof g === 'string' ? undefined : g.purposes
/** The words of a list typed by a person: separated by commas, semicolons, spaces or lines. */
const words = (text: string): string[] => [...new Set(text.split(/[\s,;]+/).filter((w) => w !== ''))]

/** A grant as the list shows it: the service, and its purposes when it names some. */
export function grantText (g: Grant): string {
  const purposes = purposesOf(g)
  return purposes === undefined ? serviceOf(g) : `${serviceOf(g)} (${purposes.join(', ')})`
}

/** The secret of a client, shown once with a copy button; gone when the panel is closed. */
function SecretOnce ({ id, secret, onClose }: { id: string, secret: string, onClose: () => void }): JSX.Element {
  return (
    <div class='alert ok secret' role='status'>
      <p><strong>{t('clients.secretOnce', { id })}</strong></p>
      <p><code class='secret-value'>{secret}</code> <CopyButton text={secret} /></p>
      <button type='button' class='secondary' onClick={onClose}>{t('clients.secretSaved')}</button>
    </div>
  )
}

/** The first error under `pointer` (the field itself or any of its parts). */
const errorUnder = (errs: Record<string, string>, pointer: string): string | undefined =>
  errs[pointer] ?? Object.entries(errs).find(([p]) => p.startsWith(`${pointer}/`))?.[1]

function ClientForm ({ client, onSaved, onCancel }: { client?: Client, onSaved: (c: Client, secret?: string) => void, onCancel: () => void }): JSX.Element {
  const [id, setId] = useState(client?.id ?? '')
  const [name, setName] = useState(client?.name ?? '')
  const [roles, setRoles] = useState<string[]>(client?.roles ?? ['system'])
  const [granted, setGranted] = useState<string[]>(client?.grants.map(serviceOf) ?? [])
  // per granted service, its purposes as typed (empty: any national procedure code)
  const [purposes, setPurposes] = useState<Record<string, string>>(
    Object.fromEntries((client?.grants ?? []).map((g) => [serviceOf(g), purposesOf(g)?.join(', ') ?? ''])))
  const [agencies, setAgencies] = useState((client?.agencies ?? []).join('\n'))
  const [perSecond, setPerSecond] = useState(client?.limits.perSecond?.toString() ?? '')
  const [perDay, setPerDay] = useState(client?.limits.perDay?.toString() ?? '')
  const [enabled, setEnabled] = useState(client?.enabled ?? true)
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const catalogue = useLoad(services)
  const errs = fieldErrors(error)
  const num = (v: string): number | undefined => v.trim() === '' ? undefined : Number(v)
  const options: Array<[string, string]> = catalogue.data === undefined
    ? []
    : [...catalogue.data.filter(grantable).map((s) => s.id), ...granted.filter((g) => !catalogue.data?.some((s) => s.id === g))].map((s) => [s, s])
  // the grants in the order sent, so that an error at /grants/3 is the fourth service's
  const grants: Grant[] = granted.map((service) => {
    const listed = words(purposes[service] ?? '')
    return listed.length === 0 ? service : { service, purposes: listed }
  })
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    setBusy(true)
    try {
      const agencyList = words(agencies)
      if (client === undefined) {
        // no agencies given: the gateway takes the client's own id when it is an agency id
        const created = await post<{ client: Client, secret: string }>('/v1/admin/clients', { id, name, roles, grants, ...(agencyList.length > 0 ? { agencies: agencyList } : {}), enabled })
        onSaved(created.client, created.secret)
      } else {
        const limits: Client['limits'] = {}
        if (num(perSecond) !== undefined) limits.perSecond = num(perSecond)
        if (num(perDay) !== undefined) limits.perDay = num(perDay)
        onSaved(await patch<Client>(`/v1/admin/clients/${encodeURIComponent(client.id)}`, { name, roles, grants, agencies: agencyList, enabled, limits, version: client.version }))
      }
    } catch (err) {
      setError(err)
      setTimeout(() => { (document.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus() }, 0)
    } finally { setBusy(false) }
  }
  return (
    <form class='panel' onSubmit={(e) => { void submit(e) }} aria-labelledby='client-form-title' noValidate>
      <h2 id='client-form-title'>{client === undefined ? t('clients.create') : t('clients.editTitle', { id: client.id })}</h2>
      <ErrorBox error={error} />
      {client === undefined && <TextField label={t('clients.id')} value={id} onInput={setId} required help={t('clients.idHelp')} error={errs['/id']} />}
      <TextField label={t('clients.name')} value={name} onInput={setName} required error={errs['/name']} />
      <CheckboxGroup legend={t('clients.roles')} options={ROLES.map(([v]) => [v, t(`role.${v}` as never)])} value={roles} onChange={setRoles} error={errorUnder(errs, '/roles')} />
      {catalogue.data !== undefined && (
        <CheckboxGroup legend={t('clients.grants')} options={options} value={granted} onChange={setGranted} error={errs['/grants']} />
      )}
      {granted.map((service, i) => (
        <TextField
          key={service} label={t('clients.purposesOf', { service })} value={purposes[service] ?? ''}
          onInput={(v) => { setPurposes({ ...purposes, [service]: v }) }} help={t('clients.purposesHelp')} error={errorUnder(errs, `/grants/${i}`)}
        />
      ))}
      <TextArea
        label={t('clients.agencies')} name='agencies' value={agencies} onInput={setAgencies} rows={3}
        help={client === undefined ? `${t('clients.agenciesHelp')} ${t('clients.agenciesDefault')}` : t('clients.agenciesHelp')} error={errorUnder(errs, '/agencies')}
      />
      {client !== undefined && (
        <div class='row'>
          <TextField label={t('clients.perSecond')} value={perSecond} onInput={setPerSecond} inputMode='numeric' help={t('clients.limitHelp')} error={errs['/limits/perSecond'] ?? errs['/limits']} />
          <TextField label={t('clients.perDay')} value={perDay} onInput={setPerDay} inputMode='numeric' error={errs['/limits/perDay']} />
        </div>
      )}
      <Checkbox label={t('clients.enabled')} checked={enabled} onChange={setEnabled} />
      <div class='actions'>
        <button type='button' class='secondary' onClick={onCancel}>{t('common.cancel')}</button>
        <button type='submit' class='primary' disabled={busy}>{t('common.save')}</button>
      </div>
    </form>
  )
}

function RevokeToken (): JSX.Element {
  const [value, setValue] = useState('')
  const [done, setDone] = useState<string>()
  const [error, setError] = useState<unknown>()
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    setError(undefined)
    try {
      const v = value.trim()
      const r = await post<{ revoked: string, until: string }>('/v1/admin/tokens/revoke', v.split('.').length === 3 ? { token: v } : { jti: v })
      setDone(t('clients.revoked', { jti: r.revoked, until: formatDateTime(r.until) }))
      setValue('')
    } catch (err) { setError(err) }
  }
  return (
    <form class='panel' onSubmit={(e) => { void submit(e) }} aria-labelledby='revoke-title'>
      <h2 id='revoke-title'>{t('clients.revokeTitle')}</h2>
      <p class='muted'>{t('clients.revokeHelp')}</p>
      <ErrorBox error={error} />
      {done !== undefined && <Notice kind='ok'>{done}</Notice>}
      <TextField label={t('clients.tokenOrJti')} value={value} onInput={setValue} required error={fieldErrors(error)['/token']} />
      <div class='actions'><button type='submit' class='primary'>{t('clients.revoke')}</button></div>
    </form>
  )
}

/** Admin: API clients — list, search, create (secret once), edit, disable, rotate the secret, revoke tokens. */
export function Clients (): JSX.Element {
  const { data, error, reload } = useLoad(async () => await allItems<Client>('/v1/admin/clients', 1000))
  const [search, setSearch] = useState('')
  const [editing, setEditing] = useState<Client | 'new' | undefined>()
  const [secret, setSecret] = useState<{ id: string, secret: string }>()
  const [actionError, setActionError] = useState<unknown>()
  const [ask, dialog] = useConfirm()
  const q = search.trim().toLowerCase()
  const shown = (data ?? []).filter((c) => q === '' || c.id.toLowerCase().includes(q) || c.name.toLowerCase().includes(q))
  const rotate = async (c: Client): Promise<void> => {
    if (!await ask(t('clients.rotateConfirm', { id: c.id }), t('clients.rotate'))) return
    try {
      const r = await post<{ id: string, secret: string }>(`/v1/admin/clients/${encodeURIComponent(c.id)}/secret`)
      setSecret(r)
      reload()
    } catch (err) { setActionError(err) }
  }
  const toggle = async (c: Client): Promise<void> => {
    if (c.enabled && !await ask(t('clients.disableConfirm', { id: c.id }), t('clients.disable'))) return
    try { await patch(`/v1/admin/clients/${encodeURIComponent(c.id)}`, { enabled: !c.enabled, version: c.version }); reload() } catch (err) { setActionError(err) }
  }
  return (
    <Page title={t('clients.title')} actions={<button type='button' class='primary' onClick={() => { setEditing('new'); setSecret(undefined) }}>{t('clients.create')}</button>}>
      {dialog}
      {secret !== undefined && <SecretOnce id={secret.id} secret={secret.secret} onClose={() => { setSecret(undefined) }} />}
      {editing !== undefined && (
        <ClientForm
          client={editing === 'new' ? undefined : editing}
          onCancel={() => { setEditing(undefined) }}
          onSaved={(c, s) => { setEditing(undefined); if (s !== undefined) setSecret({ id: c.id, secret: s }); reload() }}
        />
      )}
      <ErrorBox error={error ?? actionError} />
      <TextField label={t('clients.search')} value={search} onInput={setSearch} type='search' />
      {data === undefined
        ? <Loading />
        : (
          <div class='table-wrap'>
            <table>
              <caption class='muted'>{t('common.shown', { n: shown.length, total: data.length })}</caption>
              <thead><tr><th scope='col'>{t('clients.id')}</th><th scope='col'>{t('clients.name')}</th><th scope='col'>{t('clients.roles')}</th><th scope='col'>{t('clients.grants')}</th><th scope='col'>{t('clients.agencies')}</th><th scope='col'>{t('clients.state')}</th><th scope='col'>{t('common.actions')}</th></tr></thead>
              <tbody>
                {shown.map((c) => (
                  <tr key={c.id}>
                    <th scope='row'>{c.id}</th>
                    <td>{c.name}</td>
                    <td>{c.roles.map((r) => t(`role.${r}` as never)).join(', ')}</td>
                    <td>{c.grants.map(grantText).join(', ') || '—'}</td>
                    <td>{c.agencies.join(', ') || '—'}</td>
                    <td>{c.enabled ? <Badge kind='ok'>{t('clients.enabled')}</Badge> : <Badge kind='bad'>{t('clients.disabled')}</Badge>}</td>
                    <td class='row-actions'>
                      <button type='button' class='secondary' onClick={() => { setEditing(c) }} aria-label={t('clients.editOf', { id: c.id })}>{t('common.edit')}</button>
                      <button type='button' class='secondary' onClick={() => { void rotate(c) }} aria-label={t('clients.rotateOf', { id: c.id })}>{t('clients.rotate')}</button>
                      <button type='button' class='secondary' onClick={() => { void toggle(c) }} aria-label={t(c.enabled ? 'clients.disableOf' : 'clients.enableOf', { id: c.id })}>{c.enabled ? t('clients.disable') : t('clients.enable')}</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          )}
      <RevokeToken />
    </Page>
  )
}
