const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
const STEP_ID = '^[a-z][a-z0-9-]{0,39}$'

export const groupIdParams = { type: 'object', properties: { groupId: { type: 'string', pattern: '^[a-z][a-z0-9-]{1,39}$' } }, required: ['groupId'] }
export const caseIdParams = { type: 'object', properties: { id: { type: 'string', pattern: UUID } }, required: ['id'] }
export const stepParams = {
  type: 'object',
  properties: { id: { type: 'string', pattern: UUID }, stepId: { type: 'string', pattern: STEP_ID } },
  required: ['id', 'stepId']
}
export const reasonBody = {
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: { type: 'string', minLength: 1, maxLength: 500 } }
}
export const supplementBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    documents: {
      type: 'array',
      maxItems: 50,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['code', 'name'],
        properties: {
          code: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$' },
          name: { type: 'string', minLength: 1, maxLength: 500 },
          fileId: { type: 'string', maxLength: 200, pattern: '^[!-~]+$' }
        }
      }
    },
    data: { description: 'Fields of the filing to add or correct (merged into it, then checked against the form).', type: 'object' }
  }
}

const dossier = {
  type: 'object',
  properties: { code: { type: 'string' }, status: { type: 'integer' }, deliveredStatus: { type: 'integer' }, pendingUpdates: { type: 'integer' } }
}

/** A case as GET /v1/procedures/cases/{id} shows it (src/procedures/views.ts). */
export const caseSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    group: { type: 'object', properties: { id: { type: 'string' }, version: { type: 'integer' }, title: { type: 'string' } } },
    status: { type: 'string', enum: ['running', 'awaiting-supplement', 'needs-attention', 'completed', 'completed-with-failures', 'cancelled'] },
    overdue: { type: 'boolean' },
    agencyCode: { type: 'string' },
    provinceCode: { type: 'string' },
    procedures: { type: 'array', items: { type: 'string' } },
    dossier,
    traceId: { type: 'string' },
    filedAt: { type: 'string' },
    finishedAt: { type: 'string' },
    cancelReason: { type: 'string' },
    steps: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          title: { type: 'string' },
          service: { type: 'string' },
          procedureCode: { type: 'string' },
          dependsOn: { type: 'array', items: { type: 'string' } },
          status: { type: 'string' },
          round: { type: 'integer' },
          inDoubt: { type: 'boolean' },
          attempts: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                n: { type: 'integer' },
                round: { type: 'integer' },
                at: { type: 'string' },
                outcome: { type: 'string' },
                durationMs: { type: 'number' },
                upstreamStatus: { type: 'integer' },
                error: { type: 'string' }
              }
            }
          },
          outputs: { type: 'object', additionalProperties: true },
          missing: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' } } } },
          failure: { type: 'string' },
          reason: { type: 'string' },
          lastError: { type: 'string' },
          readyAt: { type: 'string' },
          startedAt: { type: 'string' },
          finishedAt: { type: 'string' },
          deadlineAt: { type: 'string' },
          supplementDueAt: { type: 'string' },
          nextAttemptAt: { type: 'string' },
          overdue: { type: 'boolean' },
          dossier
        }
      }
    }
  }
}
