import type { JSX } from 'preact'
import { useRoute } from 'preact-iso'
import { get } from '../base/api.js'
import { formatDateTime, formatNumber, t } from '../base/i18n.js'
import { ErrorBox, Loading, Page, useLoad } from '../base/ui.js'

interface Hop { hop: string, at: string, sinceStartMs: number, durationMs?: number, eventId: string, kind: string, service?: string, connector?: string, outcome?: string, n?: number, status?: number, upstreamStatus?: number }
interface TraceView { traceId: string, startedAt: string | null, durationMs: number, hops: Hop[], events: number }

const WIDTH = 600
const ROW = 26

/** Auditor: one exchange as a waterfall of its hops (received, validated, attempts, queued, delivered, responded). */
export function Trace (): JSX.Element {
  const { params } = useRoute()
  const traceId = params.traceId ?? ''
  const { data, error } = useLoad(async () => await get<TraceView>(`/v1/audit/traces/${encodeURIComponent(traceId)}`), [traceId])
  const total = Math.max(data?.durationMs ?? 0, ...(data?.hops.map((h) => h.sinceStartMs + (h.durationMs ?? 0)) ?? [0]), 1)
  const x = (ms: number): number => (ms / total) * WIDTH
  return (
    <Page title={t('trace.title', { id: traceId.slice(0, 12) })}>
      <p><a href='/console/audit'>{t('trace.back')}</a></p>
      <ErrorBox error={error} />
      {data === undefined
        ? (error === undefined && <Loading />)
        : (
          <>
            <p>{t('trace.summary', { at: formatDateTime(data.startedAt), ms: formatNumber(data.durationMs, 1), n: data.hops.length })} <code>{data.traceId}</code></p>
            <svg class='waterfall' viewBox={`0 0 ${WIDTH + 200} ${data.hops.length * ROW + 10}`} role='img' aria-label={t('trace.chart')}>
              {data.hops.map((h, i) => (
                <g key={i} transform={`translate(0 ${i * ROW + 4})`}>
                  <text x='0' y='15' class='label'>{h.hop}{h.n !== undefined ? ` ${h.n}` : ''}</text>
                  <rect x={190 + x(h.sinceStartMs)} y='3' width={Math.max(2, x(h.durationMs ?? 0))} height='16' class={`bar ${h.outcome === undefined || h.outcome === 'ok' ? 'ok' : 'bad'}`} />
                </g>
              ))}
            </svg>
            <div class='table-wrap'>
              <table>
                <caption class='muted'>{t('trace.tableCaption')}</caption>
                <thead><tr><th scope='col'>{t('trace.hop')}</th><th scope='col'>{t('trace.at')}</th><th scope='col'>{t('trace.offset')}</th><th scope='col'>{t('trace.duration')}</th><th scope='col'>{t('audit.service')}</th><th scope='col'>{t('trace.connector')}</th><th scope='col'>{t('audit.outcome')}</th></tr></thead>
                <tbody>
                  {data.hops.map((h, i) => (
                    <tr key={i}>
                      <th scope='row'>{h.hop}{h.n !== undefined ? ` ${h.n}` : ''}</th>
                      <td>{formatDateTime(h.at)}</td>
                      <td class='num'>+{formatNumber(h.sinceStartMs, 1)} ms</td>
                      <td class='num'>{h.durationMs !== undefined ? `${formatNumber(h.durationMs, 1)} ms` : '—'}</td>
                      <td>{h.service ?? '—'}</td>
                      <td>{h.connector ?? '—'}</td>
                      <td>{h.outcome ?? (h.status !== undefined ? `HTTP ${h.status}` : '—')}{h.upstreamStatus !== undefined ? ` (${h.upstreamStatus})` : ''}</td>
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
