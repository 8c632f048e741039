/**
 * Bench child: the citizen simulator (the national population database) alone in its process, on a free
 * loopback port. Reports `{ url }` to the parent over IPC. Run by bench/index.ts.
 */
import { createCitizenSimulator } from '../src/simulators/index.js'
import { serve } from './lib/child.js'

serve(async () => {
  const sim = createCitizenSimulator()
  const url = await sim.listen(0, '127.0.0.1')
  return { info: { url }, close: async () => { await sim.close() } }
})
