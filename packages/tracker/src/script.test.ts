// The core script, run in happy-dom as a page runs it: a <script> element with the snippet's attributes
// as document.currentScript, and the browser's transports replaced by recorders.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setURL, trackListeners, undoListeners } from './listeners.test-helper'

interface Sent {
  via: 'beacon' | 'fetch'
  url: string
  body: Record<string, unknown>
}

let sent: Sent[] = []
let beaconWorks = true
let answer: { accepted: number; load: string[] } = { accepted: 1, load: [] }
let focused = true
async function run(attributes: Record<string, string> = {}, src = 'https://fm.example/js/script.js'): Promise<void> {
  undoListeners()
  const script = document.createElement('script')
  script.setAttribute('data-domain', 'example.com')
  for (const [name, value] of Object.entries(attributes)) script.setAttribute(name, value)
  script.setAttribute('src', src)
  Object.defineProperty(document, 'currentScript', { value: script, configurable: true })
  vi.resetModules()
  await import('./script')
  await flushPromises()
}

const flushPromises = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0))
const names = (): unknown[] => sent.map((s) => s.body.n)
const last = (name: string): Record<string, unknown> => [...sent].reverse().find((s) => s.body.n == name)!.body

function setHidden(hidden: boolean): void {
  Object.defineProperty(document, 'hidden', { value: hidden, configurable: true })
  document.dispatchEvent(new Event('visibilitychange', { bubbles: true }))
}

beforeEach(() => {
  sent = []
  beaconWorks = true
  focused = true
  answer = { accepted: 1, load: [] }
  setURL('https://example.com/start?utm_source=news&email=ana%40example.com&ref=x')
  Object.defineProperty(document, 'hidden', { value: false, configurable: true })
  Object.defineProperty(document, 'referrer', { value: 'https://search.example/?q=private', configurable: true })
  vi.spyOn(document, 'hasFocus').mockImplementation(() => focused)
  vi.stubGlobal('navigator', {
    ...navigator,
    webdriver: false,
    doNotTrack: null,
    globalPrivacyControl: false,
    sendBeacon: (url: string, body: string) => {
      if (beaconWorks) sent.push({ via: 'beacon', url, body: JSON.parse(body) })
      return beaconWorks
    },
  })
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      expect(init).toMatchObject({ method: 'POST', keepalive: true })
      sent.push({ via: 'fetch', url, body: JSON.parse(init.body as string) })
      return new Response(JSON.stringify(answer))
    }),
  )
  delete (window as { fieldmark?: unknown }).fieldmark
  trackListeners()
})

afterEach(() => {
  undoListeners()
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
  vi.useRealTimers()
  document.head.innerHTML = ''
})

describe('pageviews', () => {
  it('sends the first pageview, asking for the settings, to the folder the script came from', async () => {
    await run()
    expect(sent).toHaveLength(1)
    const [first] = sent
    expect(first.via).toBe('fetch')
    expect(new URL(first.url).href).toBe('https://fm.example/api/event')
    expect(first.body).toMatchObject({
      n: 'pageview',
      u: 'https://example.com/start?utm_source=news',
      d: 'example.com',
      r: 'https://search.example/',
      h: false,
    })
  })

  it('posts next to a first-party proxy path, or to data-api', async () => {
    await run({}, 'https://example.com/stats/js/script.js')
    expect(new URL(sent[0].url).href).toBe('https://example.com/stats/api/event')
    sent = []
    await run({ 'data-api': 'https://collect.example/e' })
    expect(sent[0].url).toBe('https://collect.example/e')
  })

  it('keeps UTM tags and the data-params keys, and strips every other query key', async () => {
    setURL('https://example.com/p?q=shoes&utm_medium=email&page=2&token=abc')
    await run({ 'data-params': 'q,page' })
    expect(sent[0].body.u).toBe('https://example.com/p?q=shoes&utm_medium=email&page=2')
    setURL('https://example.com/p?token=abc&session=1')
    sent = []
    await run()
    expect(sent[0].body.u).toBe('https://example.com/p')
  })

  it('counts SPA routes from pushState, replaceState and popstate, once per address', async () => {
    await run()
    history.pushState({}, '', '/pricing?secret=1')
    history.replaceState({}, '', '/pricing') // the same page after stripping: nothing new
    history.replaceState({}, '', '/signup')
    history.pushState({}, '', '/signup#step-2') // fragments are not routes unless data-hash
    setURL('https://example.com/start')
    window.dispatchEvent(new PopStateEvent('popstate'))
    const views = sent.filter((s) => s.body.n == 'pageview').map((s) => [s.body.u, s.body.r])
    expect(views).toEqual([
      ['https://example.com/start?utm_source=news', 'https://search.example/'],
      ['https://example.com/pricing', 'https://example.com/start?utm_source=news'],
      ['https://example.com/signup', 'https://example.com/pricing'],
      ['https://example.com/start', 'https://example.com/signup'],
    ])
    // Each route change first closes the previous page with its engagement, by beacon.
    expect(names()).toEqual(['pageview', 'engagement', 'pageview', 'engagement', 'pageview', 'engagement', 'pageview'])
    expect(sent.slice(1).every((s) => s.via == 'beacon')).toBe(true)
  })

  it('routes by fragment with data-hash', async () => {
    setURL('https://example.com/app#/inbox')
    await run({ 'data-hash': '' })
    setURL('https://example.com/app#/settings')
    window.dispatchEvent(new HashChangeEvent('hashchange'))
    expect(sent.filter((s) => s.body.n == 'pageview').map((s) => [s.body.u, s.body.h])).toEqual([
      ['https://example.com/app#/inbox', true],
      ['https://example.com/app#/settings', true],
    ])
  })

  it('falls back to fetch with keepalive when the beacon is refused', async () => {
    await run()
    beaconWorks = false
    ;(window as unknown as { fieldmark: (n: string) => void }).fieldmark('Signup')
    expect(sent.map((s) => [s.via, s.body.n])).toEqual([
      ['fetch', 'pageview'],
      ['fetch', 'Signup'],
    ])
  })
})

describe('engagement', () => {
  it('sends the time visible and focused, and the deepest scroll, once when the page is hidden', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const T = Date.parse('2026-11-23T10:00:00Z')
    vi.setSystemTime(T)
    Object.defineProperty(document.documentElement, 'scrollHeight', { value: 4000, configurable: true })
    Object.defineProperty(window, 'innerHeight', { value: 1000, configurable: true })
    await run()
    vi.setSystemTime(T + 3000)
    window.scrollY = 1000 // bottom of the viewport at 2000 of 4000: 50%
    window.dispatchEvent(new Event('scroll'))
    window.scrollY = 0
    window.dispatchEvent(new Event('scroll'))
    focused = false // another window: not counted
    window.dispatchEvent(new Event('blur'))
    vi.setSystemTime(T + 10000)
    focused = true
    window.dispatchEvent(new Event('focus'))
    vi.setSystemTime(T + 12000)
    setHidden(true)
    vi.setSystemTime(T + 20000)
    setHidden(false)
    setHidden(true) // hidden again: the pageview's engagement is already sent
    expect(names()).toEqual(['pageview', 'engagement'])
    expect(last('engagement')).toMatchObject({ u: 'https://example.com/start?utm_source=news', e: 5000, sd: 50 })
    expect(sent[1].via).toBe('beacon')
  })
})

describe('custom events and identify', () => {
  it('sends props and revenue, and replays calls queued before the script loaded', async () => {
    const stub = Object.assign((...args: unknown[]) => stub.q.push(args), { q: [] as unknown[][] })
    ;(window as unknown as { fieldmark: unknown }).fieldmark = stub
    stub('Early', { props: { plan: 'pro' } })
    stub('identify', 'user-42')
    await run()
    const fieldmark = (window as unknown as { fieldmark: (n: string, o?: unknown) => void }).fieldmark
    fieldmark('Purchase', { props: { items: 3 }, revenue: { amount: 19.9, currency: 'EUR' } })
    // identify comes first, so the first pageview carries the person; queued events follow the pageview
    expect(sent.map((s) => [s.body.n, s.body.pid])).toEqual([
      ['pageview', 'user-42'],
      ['Early', 'user-42'],
      ['Purchase', 'user-42'],
    ])
    expect(last('Early').props).toEqual({ plan: 'pro' })
    expect(last('Purchase')).toMatchObject({ props: { items: 3 }, revenue: { amount: 19.9, currency: 'EUR' } })
    fieldmark('identify') // signed out
    fieldmark('Later')
    expect(last('Later').pid).toBeUndefined()
  })
})

describe('privacy', () => {
  it.each([
    ['Global Privacy Control', { globalPrivacyControl: true }, {}],
    ['Global Privacy Control, even with data-dnt="ignore"', { globalPrivacyControl: true }, { 'data-dnt': 'ignore' }],
    ['Do Not Track', { doNotTrack: '1' }, {}],
    ['automation', { webdriver: true }, {}],
  ])('sends nothing under %s', async (_, signals, attributes) => {
    vi.stubGlobal('navigator', { ...navigator, ...signals })
    await run(attributes)
    const fieldmark = (window as unknown as { fieldmark: (n: string) => void }).fieldmark
    fieldmark('Signup')
    history.pushState({}, '', '/next')
    setHidden(true)
    expect(sent).toEqual([])
  })

  it('sends under Do Not Track when the site opts out of it, and under automation with data-local', async () => {
    vi.stubGlobal('navigator', { ...navigator, doNotTrack: '1', webdriver: true })
    await run({ 'data-dnt': 'ignore', 'data-local': '' })
    expect(names()).toEqual(['pageview'])
  })

  it.each(['http://localhost:3000/', 'http://127.0.0.1/', 'http://[::1]/', 'file:///home/ana/site/index.html'])(
    'skips the local page %s unless the snippet says data-local',
    async (url) => {
      setURL(url)
      await run()
      expect(sent).toEqual([])
      await run({ 'data-local': '' })
      expect(names()).toEqual(['pageview'])
    },
  )

  it('tracks nothing on a page opened to show its heatmap (a token in the fragment)', async () => {
    setURL('https://example.com/pricing#fmh_0123_4567_sig')
    ;(window as unknown as { fieldmark: { q: unknown[] } }).fieldmark = { q: [['Queued']] } as never
    // Modules come from the script's folder: here a stand-in overlay that counts its loads.
    await run({}, import.meta.url.replace(/[^/]*$/, 'fixtures/js/script.js'))
    await vi.waitFor(() => expect((globalThis as { overlaysLoaded?: number }).overlaysLoaded).toBe(1))
    ;(window as unknown as { fieldmark: (n: string) => void }).fieldmark('Signup')
    history.pushState({}, '', '/next')
    setHidden(true)
    expect(sent).toEqual([])
  })

  it('leaves no cookie and touches no storage', async () => {
    const setItem = vi.spyOn(Storage.prototype, 'setItem')
    const getItem = vi.spyOn(Storage.prototype, 'getItem')
    await run()
    history.pushState({}, '', '/next')
    ;(window as unknown as { fieldmark: (n: string) => void }).fieldmark('Signup')
    setHidden(true)
    expect(sent.length).toBeGreaterThan(2)
    expect(document.cookie).toBe('')
    expect(setItem).not.toHaveBeenCalled()
    expect(getItem).not.toHaveBeenCalled()
  })
})
