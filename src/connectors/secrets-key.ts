import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseKeyring, type Keyring } from './secrets.js'

/**
 * The keyring for connector secrets: SECRETS_KEY when set (required when several instances share a
 * database), else a key created once under DATA_DIR (the single-node embedded default).
 */
export async function loadKeyring (configured: string | undefined, dataDir: string, warn: (msg: string) => void): Promise<Keyring> {
  if (configured !== undefined) return parseKeyring(configured)
  const file = join(dataDir, 'secrets.key')
  await mkdir(dataDir, { recursive: true })
  const fresh = `local:${randomBytes(32).toString('base64')}`
  try {
    await writeFile(file, fresh + '\n', { flag: 'wx', mode: 0o600 })
    warn(`SECRETS_KEY is not set: created ${file}; set SECRETS_KEY when instances share a database`)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  return parseKeyring((await readFile(file, 'utf8')).trim())
}
