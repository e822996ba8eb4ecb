import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import StoreTable from './StoreTable.vue'

describe('StoreTable', () => {
  it('shows each store with its state, version and round trip', () => {
    const wrapper = mount(StoreTable, {
      props: {
        stores: {
          postgres: { status: 'ok', version: '16.2', round_trip_ms: 1.5, error: null },
          redis: { status: 'error', version: null, round_trip_ms: null, error: 'Connection refused' },
        },
      },
    })
    const pg = wrapper.get('[data-store="postgres"]').findAll('td').map((td) => td.text())
    expect(pg).toEqual(['PostgreSQL', 'ok', '16.2', '1.5 ms'])
    const redis = wrapper.get('[data-store="redis"]').findAll('td').map((td) => td.text())
    expect(redis).toEqual(['Redis', 'Connection refused', '–', '–'])
  })
})
