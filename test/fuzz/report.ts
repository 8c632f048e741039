import type { FuzzRequest } from './requests.js'
import type { Answer } from './verdict.js'

const cut = (text: string, n: number): string => text.length > n ? `${text.slice(0, n)}…(${text.length} chars)` : text

/** A failure as a reader needs it: how to replay it, what was sent, what came back, what is wrong. */
export function describe (index: number, seed: number, req: FuzzRequest, a: Answer | undefined, wrong: string[]): Record<string, unknown> {
  const payload = req.payload === undefined
    ? undefined
    : typeof req.payload === 'string' ? cut(req.payload, 300) : `hex:${cut(req.payload.toString('hex'), 200)}`
  return {
    replay: `FUZZ_SEED=${seed} FUZZ_ONLY=${index} npm test -- ${process.argv[1]?.replace(/^.*?(test\/)/, '$1') ?? ''}`,
    wrong,
    method: req.method,
    url: cut(req.url, 300),
    headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, cut(v, 120)])),
    notes: req.notes,
    payload,
    status: a?.status,
    body: a !== undefined ? cut(a.body, 400) : undefined
  }
}

/** Counts by a key, sorted by key. */
export class Tally {
  readonly #counts = new Map<string, number>()
  add (key: string): void { this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1) }
  get total (): number { return [...this.#counts.values()].reduce((s, n) => s + n, 0) }
  toJSON (): Record<string, number> { return Object.fromEntries([...this.#counts].sort(([a], [b]) => a < b ? -1 : 1)) }
}

/** One failure per kind of wrong (numbers and quoted text blurred), so a bug hit 500 times is shown once. */
export function firstOfEachKind (failures: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const kinds = new Map<string, Record<string, unknown> & { times?: number }>()
  for (const f of failures) {
    const kind = (f.wrong as string[]).map((w) => w.replace(/\d+/g, 'N').replace(/:.*$/, '')).join(' | ') + ` @ ${String(f.status)}`
    const first = kinds.get(kind)
    if (first === undefined) kinds.set(kind, { ...f, times: 1 })
    else first.times = (first.times ?? 1) + 1
  }
  return [...kinds.values()]
}
