import type { JSX } from 'preact'
import { useState } from 'preact/hooks'
import { known, t } from './i18n.js'
import { escapeToken, getAt, setAt } from './pointer.js'
import { variantOf, type Schema } from './schema-check.js'
import { Checkbox, SelectField, TextField } from './ui.js'

export const MASK = '********'

interface Ctx {
  root: unknown
  onChange: (next: unknown) => void
  errors: Record<string, string>
  /** JSON pointers of write-only fields (the type's `secretFields`). */
  secrets: string[]
  /** Editing an existing instance: a secret left empty keeps the stored one. */
  existing: boolean
}

/** A field's label: the console's translation of its key when it has one, else the schema's title or the key. */
function labelOf (key: string, schema: Schema): string {
  const k = known(`field.${key}`)
  return k !== undefined ? t(k) : schema.title ?? key
}

const typeOf = (s: Schema): string | undefined => Array.isArray(s.type) ? s.type[0] : s.type ?? (s.properties !== undefined ? 'object' : undefined)

function Scalar ({ schema, path, label, ctx, required }: { schema: Schema, path: string, label: string, ctx: Ctx, required: boolean }): JSX.Element {
  const value = getAt(ctx.root, path)
  const set = (v: unknown): void => { ctx.onChange(setAt(ctx.root, path, v)) }
  const error = ctx.errors[path]
  const type = typeOf(schema)
  const help = schema.description
  if (schema.enum !== undefined) {
    const options: Array<[string, string]> = [...(required ? [] : [['', t('common.notSet')] as [string, string]]), ...schema.enum.map((v) => [String(v), String(v)] as [string, string])]
    return <SelectField label={label} value={value === undefined ? '' : String(value)} onInput={(v) => { set(v === '' ? undefined : v) }} options={options} error={error} help={help} />
  }
  if (type === 'boolean') return <Checkbox label={label} checked={value === true} onChange={set} help={help} />
  if (type === 'integer' || type === 'number') {
    return (
      <TextField
        label={label} required={required} inputMode='numeric' error={error} help={help ?? rangeHelp(schema)}
        value={value === undefined ? '' : String(value)}
        onInput={(v) => { set(v.trim() === '' ? undefined : Number.isFinite(Number(v)) ? Number(v) : v) }}
      />
    )
  }
  if (type === 'array') {
    const items = Array.isArray(value) ? value : []
    const numeric = typeOf(schema.items ?? {}) === 'integer' || typeOf(schema.items ?? {}) === 'number'
    return (
      <TextField
        label={label} error={error ?? Object.entries(ctx.errors).find(([p]) => p.startsWith(`${path}/`))?.[1]} help={help ?? t('form.listHelp')}
        value={items.join(', ')}
        onInput={(v) => {
          const parts = v.split(',').map((x) => x.trim()).filter((x) => x !== '')
          set(parts.length === 0 ? undefined : parts.map((x) => numeric && Number.isFinite(Number(x)) ? Number(x) : x))
        }}
      />
    )
  }
  if (ctx.secrets.includes(path)) {
    const stored = value === MASK
    return (
      <TextField
        label={label} type='password' required={required && !ctx.existing} error={error} autoComplete='new-password'
        help={stored ? t('form.secretStored') : t('form.secretWriteOnly')}
        value={stored ? '' : String(value ?? '')}
        onInput={(v) => { set(v === '' ? (ctx.existing ? MASK : undefined) : v) }}
      />
    )
  }
  return <TextField label={label} required={required} error={error} help={help} value={value === undefined ? '' : String(value)} onInput={(v) => { set(v === '' ? undefined : v) }} />
}

function rangeHelp (s: Schema): string | undefined {
  if (s.minimum !== undefined && s.maximum !== undefined) return t('form.range', { min: s.minimum, max: s.maximum })
  return undefined
}

/** A map (`additionalProperties` schema): one row per key, with add and remove. */
function MapField ({ schema, path, label, ctx }: { schema: Schema, path: string, label: string, ctx: Ctx }): JSX.Element {
  const value = (getAt(ctx.root, path) ?? {}) as Record<string, unknown>
  const [key, setKey] = useState('')
  const sub = schema.additionalProperties as Schema
  return (
    <fieldset class='field group map'>
      <legend>{label}</legend>
      {schema.description !== undefined && <p class='help'>{schema.description}</p>}
      {ctx.errors[path] !== undefined && <p class='error'>{ctx.errors[path]}</p>}
      {Object.keys(value).map((k) => (
        <div class='map-entry' key={k}>
          <Node schema={sub} path={`${path}/${escapeToken(k)}`} label={k} ctx={ctx} required />
          <button type='button' class='secondary' onClick={() => { ctx.onChange(setAt(ctx.root, `${path}/${escapeToken(k)}`, undefined)) }}>{t('form.removeEntry', { key: k })}</button>
        </div>
      ))}
      <div class='row'>
        <TextField label={t('form.newKey', { label })} value={key} onInput={setKey} />
        <button
          type='button' class='secondary' disabled={key.trim() === ''} onClick={() => {
            ctx.onChange(setAt(ctx.root, `${path}/${escapeToken(key.trim())}`, typeOf(sub) === 'object' ? {} : ''))
            setKey('')
          }}
        >{t('form.addEntry')}
        </button>
      </div>
    </fieldset>
  )
}

/** A oneOf of objects told apart by a `const` property: a choice of the variant, then its fields. */
function OneOf ({ schema, path, label, ctx, required }: { schema: Schema, path: string, label: string, ctx: Ctx, required: boolean }): JSX.Element {
  const value = getAt(ctx.root, path)
  const { index, key } = variantOf(schema, value)
  const variants = schema.oneOf ?? []
  const names = variants.map((v) => String(key !== undefined ? v.properties?.[key]?.const : ''))
  const chosen = value === undefined ? '' : names[index]
  const variant = variants[index]
  return (
    <fieldset class='field group'>
      <legend>{label}</legend>
      <SelectField
        label={t('form.kind', { label })} value={chosen}
        options={[...(required ? [] : [['', t('common.notSet')] as [string, string]]), ...names.map((n) => [n, n] as [string, string])]}
        onInput={(v) => { ctx.onChange(setAt(ctx.root, path, v === '' ? undefined : key !== undefined ? { [key]: v } : {})) }}
      />
      {value !== undefined && variant !== undefined && Object.entries(variant.properties ?? {}).filter(([k]) => k !== key).map(([k, s]) => (
        <Node key={k} schema={s} path={`${path}/${escapeToken(k)}`} label={labelOf(k, s)} ctx={ctx} required={variant.required?.includes(k) === true} />
      ))}
    </fieldset>
  )
}

function ObjectField ({ schema, path, label, ctx, required, top }: { schema: Schema, path: string, label: string, ctx: Ctx, required: boolean, top?: boolean }): JSX.Element {
  const fields = Object.entries(schema.properties ?? {}).map(([k, s]) => (
    <Node key={k} schema={s} path={`${path}/${escapeToken(k)}`} label={labelOf(k, s)} ctx={ctx} required={schema.required?.includes(k) === true} />
  ))
  if (top === true) return <>{fields}</>
  const hasErrors = Object.keys(ctx.errors).some((p) => p.startsWith(`${path}/`))
  // Optional groups (runtime, errorCodes…) start folded, unless they hold a value or an error.
  if (!required) {
    return (
      <details class='group' open={getAt(ctx.root, path) !== undefined || hasErrors}>
        <summary>{label}</summary>
        {schema.description !== undefined && <p class='help'>{schema.description}</p>}
        {fields}
      </details>
    )
  }
  return <fieldset class='field group'><legend>{label}</legend>{fields}</fieldset>
}

function Node ({ schema, path, label, ctx, required }: { schema: Schema, path: string, label: string, ctx: Ctx, required: boolean }): JSX.Element {
  if (schema.oneOf !== undefined) return <OneOf schema={schema} path={path} label={label} ctx={ctx} required={required} />
  if (typeOf(schema) === 'object' && schema.properties === undefined && typeof schema.additionalProperties === 'object') {
    return <MapField schema={schema} path={path} label={label} ctx={ctx} />
  }
  if (typeOf(schema) === 'object') return <ObjectField schema={schema} path={path} label={label} ctx={ctx} required={required} />
  return <Scalar schema={schema} path={path} label={label} ctx={ctx} required={required} />
}

/**
 * A form generated from a connector type's JSON Schema (one piece for every type): descriptions as help,
 * errors under their field, secret fields write-only (empty = keep the stored secret).
 */
export function SchemaForm (p: { schema: Schema, value: unknown, onChange: (v: unknown) => void, errors: Record<string, string>, secrets: string[], existing: boolean }): JSX.Element {
  const ctx: Ctx = { root: p.value, onChange: p.onChange, errors: p.errors, secrets: p.secrets, existing: p.existing }
  return <ObjectField schema={p.schema} path='' label='' ctx={ctx} required top />
}
