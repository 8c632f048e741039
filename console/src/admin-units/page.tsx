import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { get, page, query } from '../base/api.js'
import { formatDate, parseDateInput, t } from '../base/i18n.js'
import { DateField } from '../base/date-field.js'
import { ErrorBox, Loading, Page, TextField } from '../base/ui.js'

interface Unit { code: string, level: string, name: string, fullName?: string, type?: string, parentCode?: string | null, validFrom?: string | null, validTo?: string | null }
interface Linked { unit: Unit, kind: 'full' | 'partial' }
interface Lineage { code: string, level: string, asOf: string, unit: Unit | null, successors: Linked[], history: Unit[], predecessors: Linked[], districtPredecessors?: Array<{ code: string, name: string, validTo?: string }> }

const LIMIT = 50
const vnDate = (iso: string | undefined): string | undefined => iso === undefined ? undefined : new Date(new Date(iso).getTime() + 7 * 3600_000).toISOString().slice(0, 10)
const span = (u: Unit): string => `${formatDate(u.validFrom ?? null)} → ${u.validTo != null ? formatDate(u.validTo) : t('units.now')}`

function UnitLine ({ u, kind }: { u: Unit, kind?: string }): JSX.Element {
  return <>{u.fullName ?? u.name} <code>{u.code}</code> <span class='muted'>({span(u)}{kind !== undefined ? `, ${t(`units.kind.${kind}` as never)}` : ''})</span></>
}

/** Administrative units: communes found without diacritics, and a commune's lineage old → new with dates. */
export function AdminUnits (): JSX.Element {
  const [q, setQ] = useState('')
  const [asOf, setAsOf] = useState('')
  const [results, setResults] = useState<Unit[]>()
  const [more, setMore] = useState(false)
  const [lineage, setLineage] = useState<Lineage>()
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const date = vnDate(parseDateInput(asOf) ?? undefined)
  const search = async (e: Event): Promise<void> => {
    e.preventDefault()
    setBusy(true); setError(undefined); setLineage(undefined)
    try {
      const found = await page<Unit>('/v1/admin-units/communes', { q: q.trim(), asOf: date, limit: LIMIT })
      setResults(found.items)
      setMore(found.nextCursor !== null)
    } catch (err) { setError(err) } finally { setBusy(false) }
  }
  const open = async (u: Unit): Promise<void> => {
    setError(undefined)
    try { setLineage(await get<Lineage>(`/v1/admin-units/${u.code}${query({ level: 'commune', asOf: date })}`)) } catch (err) { setError(err) }
  }
  return (
    <Page title={t('units.title')}>
      <form class='filters' onSubmit={(e) => { void search(e) }} role='search' aria-label={t('units.title')}>
        <TextField label={t('units.query')} value={q} onInput={setQ} help={t('units.queryHelp')} type='search' />
        <DateField label={t('units.asOf')} value={asOf} onInput={setAsOf} />
        <div class='actions'><button type='submit' class='primary' disabled={busy}>{t('common.search')}</button></div>
      </form>
      <ErrorBox error={error} />
      {busy && <Loading />}
      {results !== undefined && (
        <div class='table-wrap'>
          <table>
            <caption class='muted'>{more ? t('common.cut', { n: results.length }) : t('common.count', { n: results.length })}</caption>
            <thead><tr><th scope='col'>{t('units.code')}</th><th scope='col'>{t('units.name')}</th><th scope='col'>{t('units.province')}</th><th scope='col'>{t('units.valid')}</th><th scope='col'>{t('common.actions')}</th></tr></thead>
            <tbody>
              {results.map((u) => (
                <tr key={u.code}>
                  <th scope='row'>{u.code}</th><td>{u.fullName ?? u.name}</td><td>{u.parentCode ?? '—'}</td><td>{span(u)}</td>
                  <td><button type='button' class='secondary' onClick={() => { void open(u) }} aria-label={t('units.lineageOf', { name: u.name })}>{t('units.lineage')}</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {lineage !== undefined && (
        <section class='panel' aria-labelledby='lineage-title'>
          <h2 id='lineage-title'>{t('units.lineageTitle', { code: lineage.code })}</h2>
          <h3>{t('units.predecessors')}</h3>
          {lineage.predecessors.length === 0 ? <p class='muted'>{t('units.none')}</p> : <ul>{lineage.predecessors.map((l) => <li key={l.unit.code}><UnitLine u={l.unit} kind={l.kind} /></li>)}</ul>}
          <h3>{t('units.history')}</h3>
          <ul>{lineage.history.map((u) => <li key={`${u.code}-${u.validFrom ?? ''}`}><UnitLine u={u} /></li>)}</ul>
          <h3>{t('units.successors')}</h3>
          {lineage.successors.length === 0 ? <p class='muted'>{t('units.none')}</p> : <ul>{lineage.successors.map((l) => <li key={l.unit.code}><UnitLine u={l.unit} kind={l.kind} /></li>)}</ul>}
        </section>
      )}
    </Page>
  )
}
