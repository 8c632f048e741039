import type { JSX } from 'preact'
import { t } from '../base/i18n.js'
import { services } from '../base/services.js'
import { ErrorBox, Loading, Page, useLoad } from '../base/ui.js'
import { connectorTypes, connectors, provinces } from './api.js'

/**
 * Admin: which connector instance answers which of the 34 provinces, for every service (an enabled instance
 * listing the province first, else the enabled instance that serves every province).
 */
export function Routing (): JSX.Element {
  const data = useLoad(async () => await Promise.all([services(), connectors(), provinces(), connectorTypes()]))
  if (data.data === undefined) return <Page title={t('routing.title')}><ErrorBox error={data.error} /><Loading /></Page>
  const [catalogue, list, provs, types] = data.data
  // the services a connector answers (a procedure filing is the gateway's own, never a connector's)
  const routed = new Set(types.flatMap((ct) => ct.services))
  const svc = catalogue.filter((s) => routed.has(s.id))
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
      {/* wide: the region scrolls, and takes the focus so that a keyboard scrolls it too */}
      <div class='table-wrap' tabIndex={0} role='region' aria-labelledby='routing-caption'>
        <table class='routing'>
          <caption class='muted' id='routing-caption'>{t('routing.caption', { n: provs.length })}</caption>
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
