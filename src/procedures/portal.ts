import type pg from 'pg'
import { acceptDeliveries, type AcceptInput } from '../deliveries/accept.js'
import { canonicalJson, sha256 } from '../deliveries/idempotency.js'
import type { DeliveryJob } from '../deliveries/jobs.js'
import { Conflict, NotFound } from '../errors.js'
import type { Group, StepDefinition } from './definition.js'

/**
 * Owner of the portal dossiers of cases: no API client can have this id (client ids have no ':'), so nobody but
 * the engine moves them, and their statuses follow the engine's transitions only.
 */
export const ENGINE_CLIENT = 'procedures:engine'

type Json = Record<string, unknown>

/** What the portal updates of a case need to know of it. */
export interface CaseRef {
  id: string
  dossierCode: string
  agencyCode: string
  filing: Json
  filedAt: Date
  traceparent?: string
}

const text = (v: unknown): string | undefined => typeof v === 'string' && v !== '' ? v : undefined

function applicant (filing: Json): Json {
  const d = (filing.declarant ?? {}) as Json
  return Object.fromEntries(Object.entries({ name: text(d.fullName) ?? '—', personalId: text(d.personalId), phone: text(d.phone), email: text(d.email) })
    .filter(([, v]) => v !== undefined))
}

function documents (filing: Json): Json[] {
  return ((filing.documents ?? []) as Json[]).map((d) => Object.fromEntries(Object.entries({ code: d.code, name: d.name, copyType: 2, fileId: d.fileId })
    .filter(([, v]) => v !== undefined)))
}

/**
 * The portal updates of one transition of a case, in the order they must reach the portal: each dossier's updates
 * keep their order (the delivery engine numbers them per dossier), dossiers are independent of each other.
 */
export class PortalBatch {
  readonly #c: CaseRef
  readonly #inputs: AcceptInput[] = []

  constructor (c: CaseRef) { this.#c = c }

  get size (): number { return this.#inputs.length }

  #add (service: AcceptInput['service'], dossierCode: string, status: number, event: string, payload: Json): void {
    this.#inputs.push({
      clientId: ENGINE_CLIENT,
      service,
      dossierCode,
      status,
      payload,
      // deterministic per transition: recording the same transition again finds the delivery instead of adding one
      idem: { key: `proc:${this.#c.id}:${dossierCode}:${event}`, bodyHash: sha256(canonicalJson({ service, dossierCode, payload })) },
      traceparent: this.#c.traceparent
    })
  }

  /** Creates a dossier: the parent (no step) or a sub-procedure's. */
  dossier (group: Group, step: StepDefinition | undefined, code: string, status: number, dueAt: Date, note: string): void {
    const d = step === undefined ? group.def.dossier : undefined
    const filing = this.#c.filing
    this.#add('dossier.sync', code, status, `sync:${status}`, {
      code,
      procedureCode: d?.procedureCode ?? step?.procedureCode,
      procedureName: d?.procedureName ?? step?.procedureName ?? step?.title,
      fieldCode: d?.fieldCode ?? step?.fieldCode ?? group.def.dossier.fieldCode,
      ...(d?.fieldName !== undefined ? { fieldName: d.fieldName } : {}),
      agencyCode: this.#c.agencyCode,
      applicant: applicant(filing),
      summary: step === undefined ? group.def.title : `${step.title} (hồ sơ liên thông ${this.#c.dossierCode})`,
      receivedAt: this.#c.filedAt.toISOString(),
      dueAt: dueAt.toISOString(),
      status,
      channel: 2,
      documents: documents(filing),
      fees: [],
      note,
      ...(step !== undefined ? { parentCode: this.#c.dossierCode } : {})
    })
  }

  /** A processing step (progress) of a dossier: its new status, what happened, its deadline when known. */
  progress (code: string, status: number, event: string, note: string, at: Date, dueAt?: Date | null): void {
    this.#add('dossier.progress', code, status, event, {
      handler: 'Hệ thống liên thông',
      role: 'Phần mềm dịch vụ công liên thông',
      at: at.toISOString(),
      department: 'Liên thông khai sinh, khai tử',
      note,
      status,
      ...(dueAt !== undefined && dueAt !== null ? { dueAt: dueAt.toISOString() } : {})
    })
  }

  /**
   * Records the updates inside the caller's transaction, through the delivery engine (per-dossier order, exactly
   * once at the portal): at most one update per dossier in each group statement, in order. Returns the jobs to
   * queue once the transaction is committed. A refusal (a transition the portal rules forbid) is logged and
   * skipped, never a reason to lose the step's own transition.
   */
  async record (db: pg.PoolClient, warn: (msg: string, err: Error) => void): Promise<DeliveryJob[]> {
    const jobs: DeliveryJob[] = []
    let rest = this.#inputs
    while (rest.length > 0) {
      const wave: AcceptInput[] = []
      const later: AcceptInput[] = []
      const codes = new Set<string>()
      for (const input of rest) {
        if (codes.has(input.dossierCode)) later.push(input)
        else { codes.add(input.dossierCode); wave.push(input) }
      }
      const results = await acceptDeliveries(db, wave)
      results.forEach((r, i) => {
        if (r instanceof Error) {
          if (r instanceof Conflict || r instanceof NotFound) { warn(`portal update ${wave[i].idem.key} refused`, r); return }
          throw r
        }
        if (r.kind === 'created' || r.status === 'queued') {
          jobs.push({ deliveryId: r.deliveryId, dossierCode: r.dossierCode, service: r.service, traceparent: wave[i].traceparent })
        }
      })
      rest = later
    }
    return jobs
  }
}
