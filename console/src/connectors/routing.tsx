import type { JSX } from 'preact'
import { t } from '../base/i18n.js'
import { services } from '../base/services.js'
import { ErrorBox, Loading, Page, useLoad } from '../base/ui.js'
import { connectors, provinces } from './api.js'

/**
 * Admin: which connector instance answers which of the 34 provinces, for every service (an enabled instance
 * listing the province first, else the enabled instance that serves every province).
 */
export function Routing (): JSX.Element {
  const data = useLoad(async () => await Promise.all([services(), connectors(), provinces()]))
  if (data.data === undefined) return <Page title={t('routing.title')}><ErrorBox error={data.error} /><Loading /></Page>
  const [svc, list, provs] = data.data
  const answer = (service: string, province: string): string => {
    const live = list.filter((c) => c.enabled && c.services.includes(service))
    const specific = live.filter((c) => c.provinces?.includes(province) === true)
    const all = live.filter((c) => c.provinces === null || c.provinces.length === 0)
    const chosen = specific.length > 0 ? specific : all
    return chosen.length === 0 ? '' : chosen.map((c) => c.id).join(', ')
  }
  return (
    <Page title={t('routing.title')}>
      <p class='muted'>{t('routing.text')}</p>
      <div class='table-wrap'>
        <table class='routing'>
          <caption class='muted'>{t('routing.caption', { n: provs.length })}</caption>
          <thead><tr><th scope='col'>{t('routing.province')}</th>{svc.map((s) => <th key={s.id} scope='col'>{s.id}</th>)}</tr></thead>
          <tbody>
            {provs.map((p) => (
              <tr key={p.code}>
                <th scope='row'>{p.code} {p.name}</th>
                {svc.map((s) => {
                  const a = answer(s.id, p.code)
                  return <td key={s.id} class={a === '' ? 'none' : ''}>{a === '' ? t('routing.none') : a}</td>
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Page>
  )
}
