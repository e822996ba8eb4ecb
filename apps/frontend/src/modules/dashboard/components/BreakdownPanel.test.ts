import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import BreakdownPanel from './BreakdownPanel.vue'
import { DEFAULT_STATE } from '../state'
import { PANELS } from '../dimensions'

/** The Stats API, answering from `rows` and recording each query's body. */
function stubApi(rows: { dimensions: string[]; metrics: number[] }[]): Record<string, unknown>[] {
  const bodies: Record<string, unknown>[] = []
  vi.stubGlobal('fetch', async (request: Request) => {
    bodies.push(await request.clone().json())
    return new Response(JSON.stringify({ results: rows, query: {}, meta: {} }), { headers: { 'Content-Type': 'application/json' } })
  })
  return bodies
}

afterEach(() => vi.unstubAllGlobals())

describe('BreakdownPanel', () => {
  const pages = PANELS.find((p) => p.title === 'Pages')!

  it('asks for the top rows under the dashboard filters, and a row filters by its value', async () => {
    const bodies = stubApi([
      { dimensions: ['/'], metrics: [40, 90, 30] },
      { dimensions: ['/pricing'], metrics: [10, 12, 50] },
    ])
    const state = { ...DEFAULT_STATE, period: '7d' as const, filters: [{ op: 'is' as const, dimension: 'visit:device', values: ['Mobile'] }] }
    const wrapper = mount(BreakdownPanel, { props: { siteId: 's1', state, title: pages.title, tabs: pages.tabs } })
    await flushPromises()
    expect(bodies[0]).toMatchObject({
      metrics: ['visitors', 'pageviews', 'bounce_rate'],
      dimensions: ['event:page'],
      date_range: '7d',
      filters: [['is', 'visit:device', ['Mobile']]],
      pagination: { limit: 9, offset: 0 },
    })
    const cells = wrapper.findAll('tbody tr').map((tr) => tr.findAll('td').map((td) => td.text()))
    expect(cells).toEqual([
      ['/', '40'],
      ['/pricing', '10'],
    ])
    // Bars are relative to the top row.
    expect(wrapper.findAll('.bar').map((b) => b.attributes('style'))).toEqual(['width: 100%;', 'width: 25%;'])
    await wrapper.findAll('tbody button')[1]!.trigger('click')
    expect(wrapper.emitted('filter')).toEqual([['event:page', '/pricing']])
  })

  it('switches tabs, and says when there is nothing', async () => {
    const bodies = stubApi([])
    const wrapper = mount(BreakdownPanel, { props: { siteId: 's1', state: DEFAULT_STATE, title: pages.title, tabs: pages.tabs } })
    await flushPromises()
    expect(wrapper.text()).toContain('Nothing in this period.')
    await wrapper.findAll('[role=tab]')[1]!.trigger('click')
    expect(wrapper.emitted('tab')).toEqual([[1]]) // the page puts it in the URL, and hands it back
    await wrapper.setProps({ activeTab: 1 })
    await flushPromises()
    expect(bodies.at(-1)).toMatchObject({ dimensions: ['visit:entry_page'] })
    expect(wrapper.find('[role=tab][aria-selected=true]').text()).toBe('Entry pages')
    await wrapper.findAll('[role=tab]')[1]!.trigger('keydown', { key: 'ArrowRight' })
    await wrapper.findAll('[role=tab]')[0]!.trigger('keydown', { key: 'ArrowLeft' })
    expect(wrapper.emitted('tab')!.slice(1)).toEqual([[2], [2]]) // wraps around from the first
    expect(wrapper.findAll('[role=tab]').map((t) => t.attributes('tabindex'))).toEqual(['-1', '0', '-1'])
  })
})
