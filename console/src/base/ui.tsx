import type { ComponentChildren, JSX } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError, fieldMessage } from './api.js'
import { t } from './i18n.js'

let nextId = 0
/** A stable id for label/field pairs. */
export function useId (prefix: string): string {
  const ref = useRef<string>()
  ref.current ??= `${prefix}-${++nextId}`
  return ref.current
}

/** A page: its heading takes the focus when the page opens, so a keyboard or screen-reader user starts there. */
export function Page ({ title, children, actions }: { title: string, children: ComponentChildren, actions?: ComponentChildren }): JSX.Element {
  const h = useRef<HTMLHeadingElement>(null)
  useEffect(() => { h.current?.focus(); document.title = `${title} — Liên thông` }, [title])
  return (
    <section class='page' aria-labelledby='page-title'>
      <div class='page-head'>
        <h1 id='page-title' tabIndex={-1} ref={h}>{title}</h1>
        {actions !== undefined && <div class='page-actions'>{actions}</div>}
      </div>
      {children}
    </section>
  )
}

interface FieldProps {
  label: string
  value: string
  onInput: (value: string) => void
  error?: string
  help?: string
  type?: string
  required?: boolean
  placeholder?: string
  autoComplete?: string
  readOnly?: boolean
  name?: string
  inputMode?: 'numeric' | 'text'
}

/** A text field with its label, help and error, tied together for assistive technologies. */
export function TextField (p: FieldProps): JSX.Element {
  const id = useId('f')
  const describedBy = [p.help !== undefined ? `${id}-help` : '', p.error !== undefined ? `${id}-err` : ''].filter((x) => x !== '').join(' ')
  return (
    <div class={`field${p.error !== undefined ? ' invalid' : ''}`}>
      <label for={id}>{p.label}{p.required === true && <span aria-hidden='true'> *</span>}</label>
      <input
        id={id} name={p.name} type={p.type ?? 'text'} value={p.value} required={p.required} placeholder={p.placeholder}
        autoComplete={p.autoComplete ?? 'off'} readOnly={p.readOnly} inputMode={p.inputMode}
        aria-invalid={p.error !== undefined ? 'true' : undefined} aria-describedby={describedBy !== '' ? describedBy : undefined}
        onInput={(e) => { p.onInput((e.currentTarget as HTMLInputElement).value) }}
      />
      {p.help !== undefined && <p class='help' id={`${id}-help`}>{p.help}</p>}
      {p.error !== undefined && <p class='error' id={`${id}-err`}>{p.error}</p>}
    </div>
  )
}

export function TextArea (p: FieldProps & { rows?: number }): JSX.Element {
  const id = useId('ta')
  const describedBy = [p.help !== undefined ? `${id}-help` : '', p.error !== undefined ? `${id}-err` : ''].filter((x) => x !== '').join(' ')
  return (
    <div class={`field${p.error !== undefined ? ' invalid' : ''}`}>
      <label for={id}>{p.label}</label>
      <textarea
        id={id} name={p.name} rows={p.rows ?? 8} value={p.value} readOnly={p.readOnly} spellcheck={false}
        aria-invalid={p.error !== undefined ? 'true' : undefined} aria-describedby={describedBy !== '' ? describedBy : undefined}
        onInput={(e) => { p.onInput((e.currentTarget as HTMLTextAreaElement).value) }}
      />
      {p.help !== undefined && <p class='help' id={`${id}-help`}>{p.help}</p>}
      {p.error !== undefined && <p class='error' id={`${id}-err`}>{p.error}</p>}
    </div>
  )
}

export function SelectField (p: { label: string, value: string, onInput: (v: string) => void, options: Array<[string, string]>, error?: string, help?: string }): JSX.Element {
  const id = useId('s')
  return (
    <div class={`field${p.error !== undefined ? ' invalid' : ''}`}>
      <label for={id}>{p.label}</label>
      <select
        id={id} value={p.value} aria-invalid={p.error !== undefined ? 'true' : undefined}
        aria-describedby={[p.help !== undefined ? `${id}-help` : '', p.error !== undefined ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined}
        onChange={(e) => { p.onInput((e.currentTarget as HTMLSelectElement).value) }}
      >
        {p.options.map(([v, label]) => <option key={v} value={v}>{label}</option>)}
      </select>
      {p.help !== undefined && <p class='help' id={`${id}-help`}>{p.help}</p>}
      {p.error !== undefined && <p class='error' id={`${id}-err`}>{p.error}</p>}
    </div>
  )
}

export function Checkbox (p: { label: string, checked: boolean, onChange: (v: boolean) => void, help?: string }): JSX.Element {
  const id = useId('c')
  return (
    <div class='field checkbox'>
      <input id={id} type='checkbox' checked={p.checked} onChange={(e) => { p.onChange((e.currentTarget as HTMLInputElement).checked) }} aria-describedby={p.help !== undefined ? `${id}-help` : undefined} />
      <label for={id}>{p.label}</label>
      {p.help !== undefined && <p class='help' id={`${id}-help`}>{p.help}</p>}
    </div>
  )
}

/** A group of checkboxes (roles, services, provinces) as a fieldset with a legend. */
export function CheckboxGroup (p: { legend: string, options: Array<[string, string]>, value: string[], onChange: (v: string[]) => void, error?: string, columns?: boolean }): JSX.Element {
  const id = useId('g')
  return (
    <fieldset class={`field group${p.columns === true ? ' columns' : ''}${p.error !== undefined ? ' invalid' : ''}`} aria-describedby={p.error !== undefined ? `${id}-err` : undefined}>
      <legend>{p.legend}</legend>
      {p.options.map(([v, label]) => (
        <label key={v} class='inline'>
          <input
            type='checkbox' checked={p.value.includes(v)}
            onChange={(e) => { p.onChange((e.currentTarget as HTMLInputElement).checked ? [...p.value, v] : p.value.filter((x) => x !== v)) }}
          /> {label}
        </label>
      ))}
      {p.error !== undefined && <p class='error' id={`${id}-err`}>{p.error}</p>}
    </fieldset>
  )
}

/** A failure in words, with each field's problem listed. */
export function ErrorBox ({ error }: { error: unknown }): JSX.Element | null {
  if (error === undefined || error === null) return null
  const e = error instanceof ApiError ? error : new ApiError(0, 'INTERNAL', (error as Error).message ?? String(error))
  return (
    <div class='alert error-box' role='alert'>
      <p>{e.readable}</p>
      {e.errors.length > 0 && (
        <ul>{e.errors.map((f) => <li key={f.path}><code>{f.path}</code>: {fieldMessage(f.message)}</li>)}</ul>
      )}
    </div>
  )
}

export function Notice ({ children, kind = 'info' }: { children: ComponentChildren, kind?: 'info' | 'ok' | 'warn' }): JSX.Element {
  return <div class={`alert ${kind}`} role='status'>{children}</div>
}

export function Loading (): JSX.Element { return <p class='muted' role='status'>{t('common.loading')}</p> }

/** A copy-to-clipboard button that says when it copied. */
export function CopyButton ({ text, label }: { text: string, label?: string }): JSX.Element {
  const [copied, setCopied] = useState(false)
  return (
    <button
      type='button' class='secondary' onClick={() => {
        void navigator.clipboard.writeText(text).then(() => { setCopied(true) }, () => { setCopied(false) })
      }}
    >
      {copied ? t('common.copied') : (label ?? t('common.copy'))}
    </button>
  )
}

/**
 * A modal confirmation (the native <dialog>: focus kept inside, Escape cancels). `ask` resolves true when
 * the person confirms.
 */
export function useConfirm (): [(message: string, confirmLabel?: string) => Promise<boolean>, JSX.Element] {
  const ref = useRef<HTMLDialogElement>(null)
  const [state, setState] = useState<{ message: string, label: string, resolve: (ok: boolean) => void } | undefined>()
  useEffect(() => {
    if (state !== undefined && ref.current !== null && !ref.current.open) ref.current.showModal()
  }, [state])
  const close = (ok: boolean): void => {
    ref.current?.close()
    state?.resolve(ok)
    setState(undefined)
  }
  const dialog = (
    <dialog ref={ref} aria-labelledby='confirm-title' onCancel={(e) => { e.preventDefault(); close(false) }}>
      <h2 id='confirm-title'>{t('common.confirmTitle')}</h2>
      <p>{state?.message}</p>
      <div class='actions'>
        <button type='button' class='secondary' onClick={() => { close(false) }}>{t('common.cancel')}</button>
        <button type='button' class='primary' onClick={() => { close(true) }}>{state?.label ?? t('common.confirm')}</button>
      </div>
    </dialog>
  )
  const ask = async (message: string, label?: string): Promise<boolean> =>
    await new Promise<boolean>((resolve) => { setState({ message, label: label ?? t('common.confirm'), resolve }) })
  return [ask, dialog]
}

/** A small line chart of the last hour (inline SVG; no style attribute, so the CSP needs no 'unsafe-inline'). */
export function Spark ({ values, label, max }: { values: number[], label: string, max?: number }): JSX.Element {
  const w = 120
  const h = 28
  const top = Math.max(max ?? 0, ...values, 1)
  const step = values.length > 1 ? w / (values.length - 1) : w
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(h - 2 - (v / top) * (h - 4)).toFixed(1)}`).join(' ')
  return (
    <svg class='spark' viewBox={`0 0 ${w} ${h}`} width={w} height={h} role='img' aria-label={label}>
      <polyline points={points} fill='none' stroke='currentColor' stroke-width='1.5' />
    </svg>
  )
}

export function Badge ({ kind, children }: { kind: string, children: ComponentChildren }): JSX.Element {
  return <span class={`badge ${kind}`}>{children}</span>
}

/** Loads data for a page; `reload` runs it again. */
export function useLoad<T> (load: () => Promise<T>, deps: unknown[] = []): { data: T | undefined, error: unknown, loading: boolean, reload: () => void } {
  const [data, setData] = useState<T | undefined>()
  const [error, setError] = useState<unknown>()
  const [loading, setLoading] = useState(true)
  const [n, setN] = useState(0)
  useEffect(() => {
    let live = true
    setLoading(true)
    load().then((d) => { if (live) { setData(d); setError(undefined) } }, (e) => { if (live) setError(e) }).finally(() => { if (live) setLoading(false) })
    return () => { live = false }
  }, [...deps, n])
  return { data, error, loading, reload: () => { setN((x) => x + 1) } }
}
