import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { get, itemsOf, patch, post } from '../base/api.js'
import { fieldErrors } from '../base/field-errors.js'
import { formatDateTime, t } from '../base/i18n.js'
import { services } from '../base/services.js'
import { Badge, Checkbox, CheckboxGroup, CopyButton, ErrorBox, Loading, Notice, Page, TextField, useConfirm, useLoad } from '../base/ui.js'

export interface Client {
  id: string
  name: string
  roles: string[]
  grants: string[]
  enabled: boolean
  limits: { perSecond?: number, perDay?: number }
  secretRotatedAt?: string
  createdAt?: string
}

const ROLES: Array<[string, string]> = [['system', 'system'], ['admin', 'admin'], ['auditor', 'auditor']]

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

function ClientForm ({ client, onSaved, onCancel }: { client?: Client, onSaved: (c: Client, secret?: string) => void, onCancel: () => void }): JSX.Element {
  const [id, setId] = useState(client?.id ?? '')
  const [name, setName] = useState(client?.name ?? '')
  const [roles, setRoles] = useState<string[]>(client?.roles ?? ['system'])
  const [grants, setGrants] = useState<string[]>(client?.grants ?? [])
  const [perSecond, setPerSecond] = useState(client?.limits.perSecond?.toString() ?? '')
  const [perDay, setPerDay] = useState(client?.limits.perDay?.toString() ?? '')
  const [enabled, setEnabled] = useState(client?.enabled ?? true)
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const catalogue = useLoad(services)
  const errs = fieldErrors(error)
  const num = (v: string): number | undefined => v.trim() === '' ? undefined : Number(v)
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    setBusy(true)
    try {
      if (client === undefined) {
        const created = await post<{ client: Client, secret: string }>('/v1/admin/clients', { id, name, roles, grants, enabled })
        onSaved(created.client, created.secret)
      } else {
        const limits: Client['limits'] = {}
        if (num(perSecond) !== undefined) limits.perSecond = num(perSecond)
        if (num(perDay) !== undefined) limits.perDay = num(perDay)
        onSaved(await patch<Client>(`/v1/admin/clients/${encodeURIComponent(client.id)}`, { name, roles, grants, enabled, limits }))
      }
    } catch (err) { setError(err) } finally { setBusy(false) }
  }
  return (
    <form class='panel' onSubmit={(e) => { void submit(e) }} aria-labelledby='client-form-title' noValidate>
      <h2 id='client-form-title'>{client === undefined ? t('clients.create') : t('clients.editTitle', { id: client.id })}</h2>
      <ErrorBox error={error} />
      {client === undefined && <TextField label={t('clients.id')} value={id} onInput={setId} required help={t('clients.idHelp')} error={errs['/id']} />}
      <TextField label={t('clients.name')} value={name} onInput={setName} required error={errs['/name']} />
      <CheckboxGroup legend={t('clients.roles')} options={ROLES.map(([v]) => [v, t(`role.${v}` as never)])} value={roles} onChange={setRoles} error={errs['/roles']} />
      {catalogue.data !== undefined && (
        <CheckboxGroup legend={t('clients.grants')} options={catalogue.data.map((s) => [s.id, s.id])} value={grants} onChange={setGrants} error={errs['/grants']} />
      )}
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
  const { data, error, reload } = useLoad(async () => itemsOf(await get<Client[] | { items: Client[] }>('/v1/admin/clients')).items)
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
    try { await patch(`/v1/admin/clients/${encodeURIComponent(c.id)}`, { enabled: !c.enabled }); reload() } catch (err) { setActionError(err) }
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
              <thead><tr><th scope='col'>{t('clients.id')}</th><th scope='col'>{t('clients.name')}</th><th scope='col'>{t('clients.roles')}</th><th scope='col'>{t('clients.grants')}</th><th scope='col'>{t('clients.state')}</th><th scope='col'>{t('common.actions')}</th></tr></thead>
              <tbody>
                {shown.map((c) => (
                  <tr key={c.id}>
                    <th scope='row'>{c.id}</th>
                    <td>{c.name}</td>
                    <td>{c.roles.map((r) => t(`role.${r}` as never)).join(', ')}</td>
                    <td>{c.grants.join(', ') || '—'}</td>
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
