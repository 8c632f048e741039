import { randomBytes } from 'node:crypto'

/** Nine digits in a row: what the audit trail's scrubber takes for a personal identifier (src/audit/prepare.ts). */
const LOOKS_LIKE_IDENTIFIER = /\d{9}/

/**
 * A random id `<prefix><hex of bytes>` that never holds nine digits in a row. A random hex string often does
 * (about one in twenty of 16 characters), and the audit trail hides such runs as personal identifiers: the id of a
 * subscription recorded with each delivery would not be found again.
 */
export function hexId (prefix: string, bytes: number): string {
  for (;;) {
    const hex = randomBytes(bytes).toString('hex')
    if (!LOOKS_LIKE_IDENTIFIER.test(hex)) return prefix + hex
  }
}
