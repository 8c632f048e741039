import { redisConfigured, type Config } from '../config.js'

/**
 * What a production process (NODE_ENV=production) lacks, one sentence each; empty when it may start. A shared
 * deployment has no embedded services, and every instance must hold the same keys: without SECRETS_KEY each one
 * would make its own and none could read the connector secrets another wrote; without AUDIT_KEY the subject hashes
 * would depend on a key kept in the database they protect.
 */
export function productionProblems (config: Config, role: 'gateway' | 'worker'): string[] {
  if (!config.production) return []
  const problems: string[] = []
  if (!redisConfigured(config)) problems.push('REDIS_URL or REDIS_SENTINELS must point at the shared Redis')
  if (config.databaseUrl === undefined) problems.push('DATABASE_URL must point at the shared PostgreSQL')
  if (config.secretsKey === undefined) problems.push('SECRETS_KEY must be set (the same keyring on every instance, e.g. "k1:<32 random bytes in base64>")')
  if (config.auditKey === undefined) problems.push('AUDIT_KEY must be set (the same key on every instance; at least 32 random bytes)')
  if (role === 'gateway' && config.simulators === 'on') problems.push('SIMULATORS=on is for development; set SIMULATORS=off')
  return problems
}
