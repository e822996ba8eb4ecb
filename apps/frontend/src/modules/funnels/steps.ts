/** A funnel step as the builder edits it, and as the API takes it (a matcher). */
export interface DraftStep {
  kind: 'pageview' | 'event'
  value: string
}

export type Matcher = { kind: 'pageview'; path: string } | { kind: 'event'; event: string }

export function toMatcher(step: DraftStep): Matcher {
  const value = step.value.trim()
  return step.kind === 'pageview' ? { kind: 'pageview', path: value.startsWith('/') ? value : `/${value}` } : { kind: 'event', event: value }
}

/** What is wrong with a draft before it is sent, or null: the API checks again and has the last word. */
export function draftProblem(name: string, steps: DraftStep[]): string | null {
  if (!name.trim()) return 'Give the funnel a name.'
  if (steps.length < 2 || steps.length > 8) return 'A funnel has 2 to 8 steps.'
  if (steps.some((s) => !s.value.trim())) return 'Every step needs a page or an event name.'
  const keys = steps.map((s) => JSON.stringify(toMatcher(s)))
  if (keys.some((k, i) => i > 0 && k === keys[i - 1])) return 'A step cannot repeat the one before it.'
  return null
}

/** "2m 5s", "3h 10m", "1d 4h": the median time between two steps. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '–'
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`
}
