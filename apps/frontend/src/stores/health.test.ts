import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useHealthStore } from './health'

const body = {
  status: 'unavailable',
  version: '0.1.0',
  roles: ['api'],
  stores: { redis: { status: 'error', version: null, round_trip_ms: null, error: 'Connection refused' } },
}

describe('health store', () => {
  beforeEach(() => setActivePinia(createPinia()))
  afterEach(() => vi.unstubAllGlobals())

  it('keeps the stores of a 503 answer so the page can say which is down', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(body), {
      status: 503, headers: { 'Content-Type': 'application/json' },
    })))
    const store = useHealthStore()
    await store.refresh()
    expect(store.health?.status).toBe('unavailable')
    expect(store.health?.stores.redis?.error).toBe('Connection refused')
    expect(store.error).toBeNull()
    expect(store.loading).toBe(false)
  })

  it('says so when the API cannot be reached', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch') }))
    const store = useHealthStore()
    await store.refresh()
    expect(store.health).toBeNull()
    expect(store.error).toBe('The API could not be reached.')
  })
})
