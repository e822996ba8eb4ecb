import { describe, expect, it } from 'vitest'
import { draftProblem, formatSeconds, toMatcher } from './steps'

describe('funnel drafts', () => {
  it('turns steps into matchers, adding the leading slash a path needs', () => {
    expect(toMatcher({ kind: 'pageview', value: ' pricing ' })).toEqual({ kind: 'pageview', path: '/pricing' })
    expect(toMatcher({ kind: 'event', value: 'Signup' })).toEqual({ kind: 'event', event: 'Signup' })
  })

  it('says what is wrong before sending', () => {
    const step = (value: string) => ({ kind: 'pageview' as const, value })
    expect(draftProblem('', [step('/'), step('/a')])).toMatch(/name/)
    expect(draftProblem('f', [step('/')])).toMatch(/2 to 8/)
    expect(draftProblem('f', [step('/'), step('')])).toMatch(/Every step/)
    expect(draftProblem('f', [step('/a'), step('a')])).toMatch(/repeat/)
    expect(draftProblem('f', [step('/'), step('/a'), step('/')])).toBeNull()
  })

  it('formats the time between steps', () => {
    expect([5, 125, 11400, 100800, null].map(formatSeconds)).toEqual(['5s', '2m 5s', '3h 10m', '1d 4h', '–'])
  })
})
