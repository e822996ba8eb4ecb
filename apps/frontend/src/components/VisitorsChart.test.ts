import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import VisitorsChart from './VisitorsChart.vue'

describe('VisitorsChart', () => {
  it('draws a bar per bucket, scaled to the peak, with its value readable', () => {
    const points = [
      { label: '2026-11-01', value: 0 },
      { label: '2026-11-02', value: 5 },
      { label: '2026-11-03', value: 10 },
    ]
    const wrapper = mount(VisitorsChart, { props: { points, title: 'Visitors over time' } })
    const bars = wrapper.findAll('rect')
    expect(bars.map((b) => b.attributes('data-value'))).toEqual(['0', '5', '10'])
    const heights = bars.map((b) => Number(b.attributes('height')))
    expect(heights[0]).toBe(0)
    expect(heights[2]).toBe(2 * heights[1]!) // proportional to the values
    expect(wrapper.findAll('title').map((t) => t.text())).toEqual(['2026-11-01: 0', '2026-11-02: 5', '2026-11-03: 10'])
    expect(wrapper.get('figcaption').text()).toContain('peak 10')
  })

  it('keeps a flat chart at zero rather than dividing by it', () => {
    const wrapper = mount(VisitorsChart, { props: { points: [{ label: 'a', value: 0 }], title: 't' } })
    expect(wrapper.get('rect').attributes('height')).toBe('0')
  })
})
