import { contentHash } from '../../lib/canonical-json.js'

export type PortalService = 'DongBoHoSoMC' | 'CapNhatTienDoHoSoMC'

/** One item the portal applied: a dossier version (DongBoHoSoMC) or a progress step (CapNhatTienDoHoSoMC). */
export interface Applied {
  /** Order of application, from 1. */
  seq: number
  service: PortalService
  maHoSo: string
  /** For dossiers: whether it was sent as an update. */
  isUpdating?: boolean
  madonvi: string
  /** SHA-256 of the item's canonical JSON: equal hashes = the same version / the same step. */
  hash: string
  receivedAt: string
  data: Record<string, unknown>
}

export interface VersionCount { hash: string, count: number }

export { contentHash }

/** What arrived at the portal, in memory, so tests can count applications per dossier version and step. */
export class ReceivedStore {
  readonly #applied: Applied[] = []
  readonly #dossiers = new Map<string, Record<string, unknown>>()
  readonly #byDossier = new Map<string, Applied[]>()

  /** Whether the portal holds that dossier. */
  has (maHoSo: string): boolean {
    return this.#dossiers.has(maHoSo)
  }

  /** The current version of a dossier as the portal holds it. */
  dossier (maHoSo: string): Record<string, unknown> | undefined {
    return this.#dossiers.get(maHoSo)
  }

  apply (entry: Omit<Applied, 'seq' | 'hash' | 'receivedAt'>): Applied {
    const applied: Applied = { ...entry, seq: this.#applied.length + 1, hash: contentHash(entry.data), receivedAt: new Date().toISOString() }
    this.#applied.push(applied)
    const list = this.#byDossier.get(entry.maHoSo)
    if (list === undefined) this.#byDossier.set(entry.maHoSo, [applied])
    else list.push(applied)
    if (entry.service === 'DongBoHoSoMC') this.#dossiers.set(entry.maHoSo, entry.data)
    return applied
  }

  /** Everything applied (optionally for one dossier), split by service, in order. */
  received (maHoSo?: string): { dossiers: Applied[], progress: Applied[] } {
    const items = maHoSo === undefined ? this.#applied : this.#byDossier.get(maHoSo) ?? []
    return {
      dossiers: items.filter((a) => a.service === 'DongBoHoSoMC'),
      progress: items.filter((a) => a.service === 'CapNhatTienDoHoSoMC')
    }
  }

  /** How many times a dossier (any version, or the version with that hash) was applied. */
  countApplied (maHoSo: string, hash?: string): number {
    return this.received(maHoSo).dossiers.filter((a) => hash === undefined || a.hash === hash).length
  }

  /** How many progress steps of a dossier were applied (repeats included). */
  countProgress (maHoSo: string): number {
    return this.received(maHoSo).progress.length
  }

  /** Applications per distinct dossier version, in the order each version first arrived. */
  appliedVersions (maHoSo: string): VersionCount[] {
    return countBy(this.received(maHoSo).dossiers)
  }

  /** Dossier versions and progress steps applied more than once: should stay empty for a correct client. */
  duplicates (): Array<{ service: PortalService, maHoSo: string, hash: string, count: number }> {
    const out: Array<{ service: PortalService, maHoSo: string, hash: string, count: number }> = []
    const groups = new Map<string, Applied[]>()
    for (const a of this.#applied) {
      const key = `${a.service}\u0000${a.maHoSo}\u0000${a.hash}`
      const list = groups.get(key)
      if (list === undefined) groups.set(key, [a])
      else list.push(a)
    }
    for (const [, list] of groups) {
      if (list.length > 1) out.push({ service: list[0].service, maHoSo: list[0].maHoSo, hash: list[0].hash, count: list.length })
    }
    return out
  }

  get size (): number {
    return this.#applied.length
  }

  clear (): void {
    this.#applied.length = 0
    this.#dossiers.clear()
    this.#byDossier.clear()
  }
}

function countBy (items: readonly Applied[]): VersionCount[] {
  const counts = new Map<string, number>()
  for (const a of items) counts.set(a.hash, (counts.get(a.hash) ?? 0) + 1)
  return [...counts].map(([hash, count]) => ({ hash, count }))
}
