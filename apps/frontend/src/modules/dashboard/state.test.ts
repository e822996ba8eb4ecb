import { describe, expect, it } from 'vitest'
import { DEFAULT_STATE, apiFilters, dateRange, parseFilter, readState, withFilter, withoutFilter, writeState } from './state'

describe('dashboard state in the URL', () => {
  it('is the default view for a plain address, and writes nothing back for it', () => {
    expect(readState({})).toEqual(DEFAULT_STATE)
    expect(writeState(DEFAULT_STATE)).toEqual({})
  })

  it('round-trips every part, filters with any characters in their values', () => {
    const state = {
      ...DEFAULT_STATE,
      period: 'custom' as const,
      from: '2026-10-01',
      to: '2026-10-31',
      compare: 'year_over_year' as const,
      metric: 'bounce_rate' as const,
      interval: 'week' as const,
      filters: [
        { op: 'is' as const, dimension: 'visit:source', values: ['Google', 'Bing'] },
        { op: 'contains' as const, dimension: 'event:page', values: ['/a|b?c=1&d'] },
        { op: 'is' as const, dimension: 'event:props:code', values: ['100%7C'] },
      ],
      segment: 'seg-1',
      tabs: { Sources: 2, Devices: 1 },
    }
    const query = writeState(state)
    expect(query.f).toEqual(['is|visit:source|Google|Bing', 'contains|event:page|/a%7Cb?c=1&d', 'is|event:props:code|100%257C'])
    expect(query.t).toEqual(['Devices:1', 'Sources:2'])
    expect(readState(query as never)).toEqual(state)
    expect(dateRange(state)).toEqual(['2026-10-01', '2026-10-31'])
    expect(apiFilters(state)).toEqual([
      ['is', 'visit:source', ['Google', 'Bing']],
      ['contains', 'event:page', ['/a|b?c=1&d']],
      ['is', 'event:props:code', ['100%7C']],
    ])
  })

  it('drops what a hand-edited address gets wrong instead of failing', () => {
    const state = readState({
      period: 'custom',
      from: '2026-13-01',
      metric: 'nonsense',
      compare: 'sometimes',
      interval: 'fortnight',
      f: ['is|visit:source|Google', 'guess|visit:source|x', 'is|drop table|x', 'is|visit:os'],
      t: ['Sources:x', 'Sources', '<b>:1'],
    })
    expect(state).toEqual({ ...DEFAULT_STATE, filters: [{ op: 'is', dimension: 'visit:source', values: ['Google'] }] })
    expect(parseFilter('is|event:props:plan|pro')).toEqual({ op: 'is', dimension: 'event:props:plan', values: ['pro'] })
  })

  it('replaces an is-filter on the same dimension, and removes filters by position', () => {
    let state = withFilter(DEFAULT_STATE, { op: 'is', dimension: 'event:page', values: ['/'] })
    state = withFilter(state, { op: 'is', dimension: 'visit:source', values: ['Google'] })
    state = withFilter(state, { op: 'is', dimension: 'event:page', values: ['/pricing'] })
    expect(apiFilters(state)).toEqual([
      ['is', 'visit:source', ['Google']],
      ['is', 'event:page', ['/pricing']],
    ])
    expect(apiFilters(withoutFilter(state, 0))).toEqual([['is', 'event:page', ['/pricing']]])
  })
})
