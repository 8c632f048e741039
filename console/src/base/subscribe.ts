import { useEffect, useState } from 'preact/hooks'

/**
 * Re-renders the calling component whenever one of these listeners is called (a module-level store changed), and
 * returns the store's value as `snapshot` reads it. Preact subscribes in an effect, which runs after the next frame
 * or up to 100 ms after rendering: a change made in between (the session's answer arriving first) calls no listener
 * of this component, so the effect compares the value it rendered with the current one and renders again if they
 * differ. `snapshot` must return the same value (===) while the store is unchanged.
 */
export function useChanges<T> (listeners: Set<() => void>, snapshot: () => T): T {
  const value = snapshot()
  const [, bump] = useState(0)
  useEffect(() => {
    const l = (): void => { bump((n) => n + 1) }
    listeners.add(l)
    if (snapshot() !== value) l()
    return () => { listeners.delete(l) }
  }, [])
  return value
}
