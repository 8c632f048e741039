import type { JSX } from 'preact'
import { datePattern, parseDateInput, t } from './i18n.js'
import { TextField } from './ui.js'

/** A date typed as dd/MM/yyyy (Vietnamese) or yyyy-MM-dd (English), HH:mm optional; says when it does not parse. */
export function DateField ({ label, value, onInput, end = false }: { label: string, value: string, onInput: (v: string) => void, end?: boolean }): JSX.Element {
  const parsed = parseDateInput(value, end)
  return (
    <TextField
      label={label} value={value} onInput={onInput} placeholder={datePattern()} help={t('form.dateHelp', { pattern: datePattern() })}
      error={parsed === null ? t('validation.date', { pattern: datePattern() }) : undefined}
    />
  )
}

/** The ISO instant of a date field, or undefined (empty or unparsable; the field says which). */
export const isoOf = (value: string, end = false): string | undefined => parseDateInput(value, end) ?? undefined
