import pg from 'pg'
import { prepare, AuditKeyring } from './dist/src/audit/prepare.js'
import { AuditStore } from './dist/src/audit/store.js'
import { migrate } from './dist/src/db/migrate.js'
const base = process.env.DATABASE_URL; const admin = new pg.Client({ connectionString: base }); await admin.connect()
const db = 'sb_' + Date.now(); await admin.query(`CREATE DATABASE ${db}`); const u = new URL(base); u.pathname = '/' + db
const pool = new pg.Pool({ connectionString: u.toString(), max: 2 }); await migrate(pool)
const store = new AuditStore(pool); const k = new AuditKeyring('x'.repeat(20))
const input = () => ({ kind: 'lookup', outcome: 'ok', traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), requestId: 'req-1', clientId: 'client-abc', purpose: '1.000894', service: 'citizen.lookup', connector: 'population', httpStatus: 200, upstreamStatus: 200, durationMs: 3.2, upstreamDurationMs: 2.1, requestBytes: 29, responseBytes: 300, requestBody: '{"personalId":"079203001234"}', responseBody: 'x'.repeat(300), subjects: ['079203001234'], details: { hops: [{hop:'received',offsetMs:0},{hop:'validated',offsetMs:0.512},{hop:'connector.attempt',offsetMs:0.6,durationMs:2.1,connector:'population',n:1,outcome:'ok'},{hop:'responded',offsetMs:3.2,status:200}] } })
const B = +(process.argv[2] ?? 15), N = 600
const batches = Array.from({ length: N }, () => Array.from({ length: B }, () => prepare(input(), k)))
for (let i = 0; i < 50; i++) await store.append(batches[i], false)
const c0 = process.cpuUsage(); const t0 = performance.now()
for (let i = 50; i < N; i++) await store.append(batches[i], false)
const c = process.cpuUsage(c0); const ev = (N - 50) * B
console.log(`batch ${B}: node CPU µs/event ${((c.user + c.system) / ev).toFixed(1)} (user ${(c.user / ev).toFixed(1)}, sys ${(c.system / ev).toFixed(1)}), wall µs/event ${((performance.now() - t0) * 1000 / ev).toFixed(1)}`)
await pool.end(); await admin.query(`DROP DATABASE ${db} WITH (FORCE)`); await admin.end()
