import { PROCEDURE_STEP_SERVICES } from './step-services.js'

/** One service of the catalogue (architecture.md §3.2): what a client may be granted and call. */
export interface ServiceDefinition {
  /** Stable id, e.g. `citizen.lookup`; the path segment of `POST /v1/lookups/{id}`. */
  id: string
  /** Semantic version of the service's contract (its request and response schemas). */
  version: string
  /**
   * `lookup`: synchronous read from a national system; `delivery`: queued write to one; `procedure`: a filing of an
   * interlinked procedure group (docs/procedures.md); `step`: a call the procedure engine makes (never a client);
   * `source`: a change feed the gateway pulls events from (served by connector instances, never granted to clients;
   * docs/events.md).
   */
  kind: 'lookup' | 'delivery' | 'procedure' | 'step' | 'source'
  title: string
  description: string
  /** `$id` of the request body schema in `schemas/`. */
  requestSchemaId: string
  /** `$id` of the response schema: the lookup's `data`, or the delivery acknowledgement. */
  responseSchemaId: string
  /**
   * Request fields holding personal identifiers, as dotted paths (`applicant.personalId`): the audit trail keeps
   * only keyed hashes of their values.
   */
  subjectFields: readonly string[]
  /** `global`: one national system serves every request; `province`: routed to the unit's provincial system. */
  routing: 'global' | 'province'
}

const define = (service: ServiceDefinition): ServiceDefinition =>
  Object.freeze({ ...service, subjectFields: Object.freeze([...service.subjectFields]) })

/** The services of the gateway, in the order the catalogue lists them. */
export const SERVICES: readonly ServiceDefinition[] = Object.freeze([
  define({
    id: 'citizen.lookup',
    version: '1.0.0',
    kind: 'lookup',
    title: 'Citizen lookup',
    description: 'Identity and permanent residence of a citizen from the National Population Database ' +
      '(CSDLQG về dân cư, Ministry of Public Security), by personal identification number.',
    requestSchemaId: 'citizen.lookup.request',
    responseSchemaId: 'citizen.lookup.response',
    subjectFields: ['personalId'],
    routing: 'global'
  }),
  define({
    id: 'land.parcel.lookup',
    version: '1.0.0',
    kind: 'lookup',
    title: 'Land parcel lookup',
    description: 'A land parcel, its use and its owners from the land databases (the national land database of the ' +
      'Ministry of Agriculture and Environment and the provincial land databases), by unique parcel id or by ' +
      'commune, map sheet and parcel number. Routed to the province of the parcel; old commune codes are resolved ' +
      'to today\'s units.',
    requestSchemaId: 'land.parcel.lookup.request',
    responseSchemaId: 'land.parcel.lookup.response',
    subjectFields: [],
    routing: 'province'
  }),
  define({
    id: 'tax.taxpayer.lookup',
    version: '1.0.0',
    kind: 'lookup',
    title: 'Taxpayer lookup',
    description: 'Registration of a taxpayer (organisation, individual or household) from the tax registration ' +
      'database of the tax authority (Ministry of Finance), by tax code or, for individuals, personal ' +
      'identification number.',
    requestSchemaId: 'tax.taxpayer.lookup.request',
    responseSchemaId: 'tax.taxpayer.lookup.response',
    subjectFields: ['taxCode'],
    routing: 'global'
  }),
  define({
    id: 'insurance.coverage.lookup',
    version: '1.0.0',
    kind: 'lookup',
    title: 'Insurance coverage lookup',
    description: 'Social and health insurance coverage of a person from the national insurance database of Vietnam ' +
      'Social Security (BHXH Việt Nam), by social insurance code, health insurance card number or personal ' +
      'identification number.',
    requestSchemaId: 'insurance.coverage.lookup.request',
    responseSchemaId: 'insurance.coverage.lookup.response',
    subjectFields: ['socialInsuranceCode', 'healthInsuranceCardNo', 'personalId'],
    routing: 'global'
  }),
  define({
    id: 'dossier.sync',
    version: '1.0.0',
    kind: 'delivery',
    title: 'Dossier synchronisation',
    description: 'Creates or updates a dossier on the National Public Service Portal (Cổng Dịch vụ công quốc ' +
      'gia, DVCQG). Accepted once durably recorded, then delivered with retries.',
    requestSchemaId: 'dossier.sync.request',
    responseSchemaId: 'delivery.accepted',
    subjectFields: ['applicant.personalId', 'applicant.taxCode'],
    routing: 'global'
  }),
  define({
    id: 'dossier.progress',
    version: '1.0.0',
    kind: 'delivery',
    title: 'Dossier processing step',
    description: 'Records one processing step of a dossier on the National Public Service Portal (Cổng Dịch vụ ' +
      'công quốc gia, DVCQG). Steps of a dossier reach the portal in order, after the dossier itself.',
    requestSchemaId: 'dossier.progress.request',
    responseSchemaId: 'delivery.accepted',
    subjectFields: [],
    routing: 'global'
  }),
  define({
    id: 'procedure.filing',
    version: '1.0.0',
    kind: 'procedure',
    title: 'Interlinked procedure filing',
    description: 'One filing (form 01 or 02 of Decree 63/2024/NĐ-CP) carried by the gateway through the chain of ' +
      'national systems of a procedure group: POST /v1/procedures/{groupId}.',
    requestSchemaId: 'procedure.filing',
    responseSchemaId: 'procedure.filed',
    subjectFields: ['mother.personalId', 'father.personalId', 'declarant.personalId', 'deceased.personalId', 'beneficiary.personalId'],
    routing: 'global'
  }),
  ...PROCEDURE_STEP_SERVICES.map(define),
  define({
    id: 'dossier.events',
    version: '1.0.0',
    kind: 'source',
    title: 'Portal dossier events',
    description: 'Change feed of the National Public Service Portal (DVCQG): dossiers submitted online and status ' +
      'changes, pulled with a cursor and delivered to the subscribed provincial systems as dossier.submitted-online ' +
      'and dossier.status-changed events.',
    requestSchemaId: 'event.feed.request',
    responseSchemaId: 'event.feed.page',
    subjectFields: [],
    routing: 'global'
  }),
  define({
    id: 'citizen.events',
    version: '1.0.0',
    kind: 'source',
    title: 'Population events',
    description: 'Change feed of the National Population Database (CSDLQG về dân cư): deaths and changes of ' +
      'residence, pulled with a cursor and delivered to the subscribed provincial systems as citizen.death-recorded ' +
      'and citizen.residence-changed events.',
    requestSchemaId: 'event.feed.request',
    responseSchemaId: 'event.feed.page',
    subjectFields: [],
    routing: 'global'
  })
])

const BY_ID: ReadonlyMap<string, ServiceDefinition> = new Map(SERVICES.map((service) => [service.id, service]))

/** The service with this id, or undefined. */
export const getService = (id: string): ServiceDefinition | undefined => BY_ID.get(id)

/** The services a client may be granted: lookups, deliveries and filings (sources and procedure steps are the gateway's own calls). */
export const GRANTABLE: readonly ServiceDefinition[] = Object.freeze(SERVICES.filter((s) => s.kind !== 'source' && s.kind !== 'step'))
