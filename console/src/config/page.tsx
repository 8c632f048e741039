import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { get, request } from '../base/api.js'
import { t } from '../base/i18n.js'
import { CopyButton, ErrorBox, Notice, Page, TextArea } from '../base/ui.js'

interface Change { kind: 'client' | 'connector' | 'procedure-group', id: string, action: 'create' | 'update' | 'delete' | 'unchanged' }
interface ImportResult { applied: boolean, changes: Change[], newClientSecrets?: Array<{ id: string, secret: string }> }
type Entity = Record<string, unknown> & { id: string }
interface Doc { clients?: Entity[], connectors: Entity[], procedureGroups?: Entity[] }

/** Fields of one entity that differ between the current configuration and the imported one. */
function fieldDiff (before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined): Array<[string, string, string]> {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])
  const out: Array<[string, string, string]> = []
  for (const k of keys) {
    const a = JSON.stringify(before?.[k])
    const b = JSON.stringify(after?.[k])
    if (a !== b) out.push([k, a ?? '—', b ?? '—'])
  }
  return out
}

function download (name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.click()
  setTimeout(() => { URL.revokeObjectURL(url) }, 1000)
}

/** Admin: export the declarative configuration; import it with the dry run's changes shown before applying. */
export function ConfigPage (): JSX.Element {
  const [exported, setExported] = useState<string>()
  const [text, setText] = useState('')
  const [parseError, setParseError] = useState<string>()
  const [preview, setPreview] = useState<{ result: ImportResult, current: Doc, next: Doc }>()
  const [applied, setApplied] = useState<ImportResult>()
  const [error, setError] = useState<unknown>()

  const doExport = async (): Promise<void> => {
    setError(undefined)
    try { setExported(JSON.stringify(await get<Doc>('/v1/admin/config'), null, 2)) } catch (err) { setError(err) }
  }
  const parsed = (): Doc | undefined => {
    try { setParseError(undefined); return JSON.parse(text) as Doc } catch (err) { setParseError(t('config.notJson', { error: (err as Error).message })); return undefined }
  }
  const dryRun = async (): Promise<void> => {
    setError(undefined); setApplied(undefined); setPreview(undefined)
    const next = parsed()
    if (next === undefined) return
    try {
      const [result, current] = await Promise.all([request<ImportResult>('PUT', '/v1/admin/config?dryRun=true', { body: next }), get<Doc>('/v1/admin/config')])
      setPreview({ result, current, next })
    } catch (err) { setError(err) }
  }
  const apply = async (): Promise<void> => {
    const next = parsed()
    if (next === undefined) return
    try { setApplied(await request<ImportResult>('PUT', '/v1/admin/config', { body: next })); setPreview(undefined) } catch (err) { setError(err) }
  }
  const entity = (d: Doc, c: Change): Record<string, unknown> | undefined =>
    (c.kind === 'client' ? d.clients ?? [] : c.kind === 'procedure-group' ? d.procedureGroups ?? [] : d.connectors).find((x) => x.id === c.id)
  const changed = preview?.result.changes.filter((c) => c.action !== 'unchanged') ?? []

  return (
    <Page title={t('config.title')}>
      <section aria-labelledby='export-title' class='panel'>
        <h2 id='export-title'>{t('config.export')}</h2>
        <div class='actions'>
          <button type='button' class='primary' onClick={() => { void doExport() }}>{t('config.exportButton')}</button>
          {exported !== undefined && <button type='button' class='secondary' onClick={() => { download('lienthong-config.json', exported, 'application/json') }}>{t('config.download')}</button>}
          {exported !== undefined && <CopyButton text={exported} />}
        </div>
        {exported !== undefined && <TextArea label={t('config.exported')} value={exported} onInput={() => {}} readOnly rows={12} />}
      </section>
      <section aria-labelledby='import-title' class='panel'>
        <h2 id='import-title'>{t('config.import')}</h2>
        <p class='muted'>{t('config.importHelp')}</p>
        <TextArea label={t('config.document')} value={text} onInput={(v) => { setText(v); setPreview(undefined) }} error={parseError} rows={12} />
        <div class='actions'><button type='button' class='primary' onClick={() => { void dryRun() }} disabled={text.trim() === ''}>{t('config.dryRun')}</button></div>
        <ErrorBox error={error} />
        {preview !== undefined && (
          <div class='diff' aria-live='polite'>
            <h3>{t('config.changes', { n: changed.length })}</h3>
            {changed.length === 0 && <p>{t('config.noChanges')}</p>}
            <ul>
              {changed.map((c) => (
                <li key={`${c.kind}:${c.id}`}>
                  <strong>{t(`config.action.${c.action}` as never)}</strong> {t(`config.kind.${c.kind}` as never)} <code>{c.id}</code>
                  {c.action === 'update' && (
                    <table class='compact'>
                      <thead><tr><th scope='col'>{t('config.field')}</th><th scope='col'>{t('config.before')}</th><th scope='col'>{t('config.after')}</th></tr></thead>
                      <tbody>{fieldDiff(entity(preview.current, c), entity(preview.next, c)).map(([k, a, b]) => <tr key={k}><th scope='row'>{k}</th><td><code>{a}</code></td><td><code>{b}</code></td></tr>)}</tbody>
                    </table>
                  )}
                </li>
              ))}
            </ul>
            {changed.length > 0 && <div class='actions'><button type='button' class='primary' onClick={() => { void apply() }}>{t('config.apply', { n: changed.length })}</button></div>}
          </div>
        )}
        {applied !== undefined && (
          <Notice kind='ok'>
            {t('config.applied', { n: applied.changes.filter((c) => c.action !== 'unchanged').length })}
            {applied.newClientSecrets?.map((s) => <p key={s.id}>{t('clients.secretOnce', { id: s.id })} <code>{s.secret}</code> <CopyButton text={s.secret} /></p>)}
          </Notice>
        )}
      </section>
    </Page>
  )
}
