/**
 * Writes `config/simulators/samples.json`: per gateway lookup service, request bodies that succeed against the
 * simulators with the default seed. Run from the repository root after changing the seed data:
 *   node --import=@tapjs/typescript/import src/simulators/write-samples.ts [output path]
 * `test/simulators/samples.test.ts` fails when the file and the code disagree.
 */
import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { sampleIds } from './samples.js'
import { DEFAULT_SEED } from './seed/prng.js'

const SAMPLES_FILE = 'config/simulators/samples.json'

const target = resolve(process.argv[2] ?? SAMPLES_FILE)
await writeFile(target, `${JSON.stringify(sampleIds(DEFAULT_SEED), null, 2)}\n`)
console.log(`wrote ${target}`)
