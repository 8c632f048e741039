/**
 * JSON Schema of an instance's `config.delivery`: the retry policy of the deliveries it carries (attempts and
 * backoff), read by the delivery worker (src/deliveries/retry-policy.ts). A connector type that delivers puts it in
 * its config schema (through the contract), so the type needs nothing of the deliveries themselves.
 */
export const deliverySettingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    attempts: { type: 'integer', minimum: 1, maximum: 100 },
    baseDelayMs: { type: 'integer', minimum: 0, maximum: 3_600_000 },
    maxDelayMs: { type: 'integer', minimum: 0, maximum: 86_400_000 }
  }
} as const
