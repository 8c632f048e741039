import { sampleIds } from '../../src/simulators/index.js'

const SAMPLES = sampleIds()
const SERVICES = Object.keys(SAMPLES) as Array<keyof typeof SAMPLES>

/** Lookup `n`: the services in turn, each with one of the identifiers its simulator knows. */
export function lookup (n: number): { path: string, body: Record<string, string> } {
  const service = SERVICES[n % SERVICES.length]
  const list = SAMPLES[service]
  return { path: `/v1/lookups/${service}`, body: list[Math.floor(n / SERVICES.length) % list.length] }
}

/** Dossier code `n` of a run: 9,999 per receipt day, days counted from 1 January 2025. */
export function dossierCode (n: number): string {
  const day = new Date(Date.UTC(2025, 0, 1) + Math.floor(n / 9999) * 86_400_000)
  const yymmdd = day.toISOString().slice(2, 10).replaceAll('-', '')
  return `000.00.01.H22-${yymmdd}-${String(n % 9999 + 1).padStart(4, '0')}`
}

export function dossier (n: number): Record<string, unknown> {
  return {
    code: dossierCode(n),
    procedureCode: '1.000894.000.00.00.H22',
    procedureName: 'Đăng ký kết hôn',
    fieldCode: 'G09-HT01',
    fieldName: 'Hộ tịch',
    agencyCode: '000.00.01.H22',
    applicant: { name: 'Nguyễn Văn An', personalId: '001090012345', phone: '0912345678', address: 'Hà Giang' },
    summary: `Hồ sơ thử ${n}`,
    receivedAt: '2025-07-15T08:30:00+07:00',
    dueAt: '2025-07-18T17:00:00+07:00',
    status: 2,
    channel: 2,
    documents: [{ code: 'TP1', name: 'Tờ khai đăng ký kết hôn', copyType: 2, fileId: `f-${n}` }],
    fees: [{ code: 'LP1', name: 'Lệ phí', amount: 0 }]
  }
}

export function step (n: number): Record<string, unknown> {
  return {
    handler: 'Trần Thị Bình',
    role: 'Công chức tư pháp - hộ tịch',
    at: '2025-07-15T09:00:00+07:00',
    department: 'Bộ phận một cửa',
    note: `Đang xử lý hồ sơ ${n}`,
    status: 4
  }
}
