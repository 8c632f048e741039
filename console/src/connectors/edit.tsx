import type { JSX } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { useRoute } from 'preact-iso'
import { get, post, put } from '../base/api.js'
import { fieldErrors } from '../base/field-errors.js'
import { t } from '../base/i18n.js'
import { check } from '../base/schema-check.js'
import { SchemaForm } from '../base/schema-form.js'
import { Checkbox, CheckboxGroup, ErrorBox, Loading, Notice, Page, SelectField, TextField, useLoad } from '../base/ui.js'
import { connectorTypes, provinces, replaceBody, type Connector } from './api.js'

/** Admin: create or edit a connector instance; its config form is generated from the type's JSON Schema. */
export function ConnectorEdit (): JSX.Element {
  const { params } = useRoute()
  // after a creation the page goes on as the edit page of the new instance (the URL says so too)
  const [created, setCreated] = useState<string>()
  const editing = params.id !== undefined && params.id !== 'new' ? params.id : created
  const types = useLoad(connectorTypes)
  const provinceList = useLoad(provinces)
  const [c, setC] = useState<Connector | undefined>(editing === undefined ? { id: '', type: '', services: [], provinces: null, config: {}, enabled: true } : undefined)
  const [loadError, setLoadError] = useState<unknown>()
  const [error, setError] = useState<unknown>()
  const [local, setLocal] = useState<Record<string, string>>({})
  const [saved, setSaved] = useState(false)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    if (editing === undefined || editing === created) return
    get<Connector>(`/v1/admin/connectors/${encodeURIComponent(editing)}`).then(setC, setLoadError)
  }, [editing])
  useEffect(() => {
    if (c !== undefined && c.type === '' && types.data !== undefined && types.data.length > 0) setC({ ...c, type: types.data[0].type })
  }, [types.data, c?.type])

  if (loadError !== undefined) return <Page title={t('connectors.editTitle', { id: editing ?? '' })}><ErrorBox error={loadError} /></Page>
  if (c === undefined || types.data === undefined) return <Page title={t('connectors.title')}><ErrorBox error={types.error} /><Loading /></Page>
  const type = types.data.find((x) => x.type === c.type)
  const server = fieldErrors(error)
  const errs: Record<string, string> = { ...server, ...local }
  const configErrs = Object.fromEntries(Object.entries(errs).filter(([p]) => p.startsWith('/config/')).map(([p, m]) => [p.slice('/config'.length), m]))

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault()
    setSaved(false)
    setError(undefined)
    const found: Record<string, string> = {}
    if (editing === undefined && !/^[a-z0-9][a-z0-9._-]{1,63}$/.test(c.id)) found['/id'] = t('connectors.idHelp')
    if (c.services.length === 0) found['/services'] = t('validation.required')
    if (type !== undefined) for (const [p, m] of Object.entries(check(type.configSchema, c.config))) found[`/config${p === '/' ? '' : p}`] = m
    setLocal(found)
    if (Object.keys(found).length > 0) {
      // the first field in error takes the focus
      setTimeout(() => { (document.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus() }, 0)
      return
    }
    setBusy(true)
    try {
      const saved = editing === undefined
        ? await post<Connector>('/v1/admin/connectors', { id: c.id, ...replaceBody(c) })
        : await put<Connector>(`/v1/admin/connectors/${encodeURIComponent(editing)}`, replaceBody(c))
      setC(saved)
      setSaved(true)
      if (editing === undefined) {
        setCreated(saved.id)
        history.replaceState(history.state, '', `/console/connectors/${encodeURIComponent(saved.id)}`)
      }
    } catch (err) {
      setError(err)
      setTimeout(() => { (document.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus() }, 0)
    } finally { setBusy(false) }
  }

  return (
    <Page title={editing === undefined ? t('connectors.create') : t('connectors.editTitle', { id: editing })}>
      <p><a href='/console/connectors'>{t('connectors.back')}</a></p>
      <form onSubmit={(e) => { void submit(e) }} noValidate class='panel'>
        <ErrorBox error={error} />
        {saved && <Notice kind='ok'>{t('connectors.saved')}</Notice>}
        {editing === undefined && <TextField label={t('connectors.id')} value={c.id} onInput={(v) => { setC({ ...c, id: v }) }} required help={t('connectors.idHelp')} error={errs['/id']} />}
        <SelectField
          label={t('connectors.type')} value={c.type} options={types.data.map((x) => [x.type, `${x.type} ${x.version}`])} help={type?.description}
          onInput={(v) => { setC({ ...c, type: v, services: [], config: {} }); setLocal({}) }} error={errs['/type']}
        />
        {type !== undefined && (
          <CheckboxGroup legend={t('connectors.services')} options={type.services.map((s) => [s, s])} value={c.services} onChange={(v) => { setC({ ...c, services: v }) }} error={errs['/services']} />
        )}
        <Checkbox label={t('connectors.allProvinces')} checked={c.provinces === null} onChange={(all) => { setC({ ...c, provinces: all ? null : [] }) }} help={t('connectors.provincesHelp')} />
        {c.provinces !== null && provinceList.data !== undefined && (
          <CheckboxGroup legend={t('connectors.provinces')} columns options={provinceList.data.map((p) => [p.code, `${p.code} ${p.name}`])} value={c.provinces} onChange={(v) => { setC({ ...c, provinces: v }) }} error={errs['/provinces']} />
        )}
        <Checkbox label={t('connectors.enabled')} checked={c.enabled} onChange={(v) => { setC({ ...c, enabled: v }) }} />
        {type !== undefined && (
          <fieldset class='group config'>
            <legend>{t('connectors.config', { type: type.type })}</legend>
            <SchemaForm schema={type.configSchema} value={c.config} onChange={(v) => { setC({ ...c, config: (v ?? {}) as Record<string, unknown> }) }} errors={configErrs} secrets={type.secretFields} existing={editing !== undefined} />
          </fieldset>
        )}
        <div class='actions'><button type='submit' class='primary' disabled={busy}>{t('common.save')}</button></div>
      </form>
    </Page>
  )
}
