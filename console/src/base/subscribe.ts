import { useEffect, useState } from 'preact/hooks'

/** Re-renders the calling component whenever one of these listeners is called (a module-level store changed). */
export function useChanges (listeners: Set<() => void>): void {
  const [, bump] = useState(0)
  useEffect(() => {
    const l = (): void => { bump((n) => n + 1) }
    listeners.add(l)
    return () => { listeners.delete(l) }
  }, [])
}
