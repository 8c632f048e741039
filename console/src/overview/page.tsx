import type { JSX } from 'preact'
import { useEffect } from 'preact/hooks'
import { get } from '../base/api.js'
import { formatDateTime, formatNumber, formatPercent, t } from '../base/i18n.js'
import { Badge, ErrorBox, Loading, Page, Spark, useLoad } from '../base/ui.js'

interface Point { at: string, count: number, errors: number, p50Ms: number | null, p99Ms: number | null }
interface Traffic { perMinute: number, errorRate: number, p50Ms: number | null, p99Ms: number | null, points: Point[] }
interface Health { state: string, circuit: string, p50Ms?: number | null, p99Ms?: number | null, errorRate?: number, calls?: number, lastCheckAt?: string | null }
export interface OverviewData {
  at: string
  services: Array<{ id: string, kind: string } & Traffic>
  connectors: Array<{ id: string, type: string, services: string[], enabled: boolean, health: Health, traffic: Traffic }>
  deliveries: { byStatus: Record<string, number> | null, queue: Record<string, number> | null }
  audit: { buffered: number, accepting: boolean, written: number, failedFlushes: number, databaseDown: boolean }
  readiness: { redis: string, postgres: string }
}

const REFRESH_MS = 5000
const ms = (v: number | null | undefined): string => v === null || v === undefined ? '—' : `${formatNumber(v, 1)} ms`

export const stateBadge = (state: string): JSX.Element =>
  <Badge kind={state === 'up' || state === 'closed' ? 'ok' : state === 'degraded' || state === 'half-open' ? 'warn' : 'bad'}>{t(`state.${state}` as never)}</Badge>

function TrafficCells ({ name, tr }: { name: string, tr: Traffic }): JSX.Element {
  return (
    <>
      <td class='num'>{formatNumber(tr.perMinute, 2)}</td>
      <td class='num'>{formatPercent(tr.errorRate)}</td>
      <td class='num'>{ms(tr.p50Ms)}</td>
      <td class='num'>{ms(tr.p99Ms)}</td>
      <td>{tr.points.length > 0 ? <Spark values={tr.points.map((p) => p.count)} label={t('overview.chartOf', { name })} /> : <span class='muted'>{t('overview.noTraffic')}</span>}</td>
    </>
  )
}

/** Admin overview, refreshed every 5 s while the page is visible. */
export function Overview (): JSX.Element {
  const { data, error, reload } = useLoad(async () => await get<OverviewData>('/v1/admin/overview'))
  useEffect(() => {
    const timer = setInterval(() => { if (document.visibilityState === 'visible') reload() }, REFRESH_MS)
    return () => { clearInterval(timer) }
  }, [])
  const heads = [t('overview.perMinute'), t('overview.errorRate'), 'p50', 'p99', t('overview.lastHour')]
  return (
    <Page title={t('overview.title')}>
      <ErrorBox error={error} />
      {data === undefined
        ? <Loading />
        : (
          <>
            <p class='muted' aria-live='polite'>{t('overview.updated', { at: formatDateTime(data.at) })}</p>
            <div class='cards'>
              <div class='card'><h2>{t('overview.readiness')}</h2>
                <p>Redis: {stateBadge(data.readiness.redis)}</p>
                <p>PostgreSQL: {stateBadge(data.readiness.postgres)}</p>
              </div>
              <div class='card'><h2>{t('overview.deliveries')}</h2>
                <p>{t('overview.queueDepth')}: <strong>{formatNumber((data.deliveries.queue?.waiting ?? 0) + (data.deliveries.queue?.delayed ?? 0) + (data.deliveries.queue?.prioritized ?? 0))}</strong></p>
                <p>{t('overview.retrying')}: <strong>{formatNumber(data.deliveries.byStatus?.retrying)}</strong></p>
                <p>{t('overview.deadLetters')}: <strong>{formatNumber(data.deliveries.byStatus?.failed)}</strong> <a href='/console/deliveries'>{t('overview.toDeliveries')}</a></p>
              </div>
              <div class='card'><h2>{t('overview.audit')}</h2>
                <p>{t('overview.auditBuffered')}: <strong>{formatNumber(data.audit.buffered)}</strong></p>
                <p>{t('overview.auditWritten')}: <strong>{formatNumber(data.audit.written)}</strong></p>
                <p>{data.audit.accepting && !data.audit.databaseDown ? stateBadge('up') : stateBadge('down')}</p>
              </div>
            </div>
            <h2>{t('overview.services')}</h2>
            <div class='table-wrap'>
              <table>
                <thead><tr><th scope='col'>{t('overview.service')}</th>{heads.map((h) => <th key={h} scope='col'>{h}</th>)}</tr></thead>
                <tbody>
                  {data.services.map((s) => <tr key={s.id}><th scope='row'>{s.id}</th><TrafficCells name={s.id} tr={s} /></tr>)}
                </tbody>
              </table>
            </div>
            <h2>{t('overview.connectors')}</h2>
            <div class='table-wrap'>
              <table>
                <thead>
                  <tr>
                    <th scope='col'>{t('overview.connector')}</th><th scope='col'>{t('connectors.health')}</th><th scope='col'>{t('connectors.circuit')}</th>
                    {heads.map((h) => <th key={h} scope='col'>{h}</th>)}
                  </tr>
                </thead>
                <tbody>
                  {data.connectors.map((c) => (
                    <tr key={c.id}>
                      <th scope='row'><a href={`/console/connectors/${encodeURIComponent(c.id)}`}>{c.id}</a></th>
                      <td>{c.enabled ? stateBadge(c.health.state) : <Badge kind='muted'>{t('connectors.disabled')}</Badge>}</td>
                      <td>{stateBadge(c.health.circuit)}</td>
                      <TrafficCells name={c.id} tr={c.traffic} />
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
          )}
    </Page>
  )
}
