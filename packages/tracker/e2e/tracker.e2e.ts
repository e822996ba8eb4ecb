/** The built tracker in Chromium on a fixture site, through the real pipeline: scripted visits (pages, SPA
 * routes, clicks, a rage burst, scrolling, custom events, an outbound link, a download, a 404) become the
 * expected ClickHouse rows; nothing is stored in the browser; and nothing is sent under DNT or GPC. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchChromium, startFieldmark, type Running } from '../../../apps/frontend/e2e/fieldmark'
import { createSite, startFixtureSite, type FixtureSite } from './fixture'

const HOST = 'fixture.test'
let server: Running
let site: FixtureSite
let browser: Browser
let origin = ''
const USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36'

beforeAll(async () => {
  server = await startFieldmark()
  await createSite(server.url, { domain: HOST }, { heatmaps: true })
  site = await startFixtureSite((page) => {
    const features = page == '404.html' ? 'data-404' : 'data-outbound-links data-file-downloads'
    // data-local: the browser is automated (navigator.webdriver), which the tracker skips otherwise.
    return `<script defer data-domain="${HOST}" data-local ${features} src="${server.url}/js/script.js"></script>`
  })
  origin = `http://${HOST}:${site.port}`
  // Headless Chromium names itself HeadlessChrome, which the collect endpoint drops as a bot, as it should.
  browser = await launchChromium([HOST], USER_AGENT)
})

afterAll(async () => {
  await browser?.close()
  await site?.close()
  await server?.stop()
})

/** A page whose collect requests are recorded, and whose storage writes are counted. */
async function openPage(
  context: BrowserContext,
): Promise<{ page: Page; bodies: string[]; loaded: string[]; answers: string[] }> {
  const page = await context.newPage()
  const bodies: string[] = []
  const loaded: string[] = []
  const answers: string[] = []
  page.on('response', async (response) => {
    if (response.url().endsWith('/api/event')) answers.push(`${response.status()} ${await response.text().catch(() => '')}`)
  })
  page.on('request', (request) => {
    if (request.url().endsWith('/api/event')) bodies.push(request.postData() ?? '')
    if (request.url().includes('/js/')) loaded.push(new URL(request.url()).pathname)
  })
  await page.addInitScript(() => {
    const w = window as unknown as { storageWrites: number }
    w.storageWrites = 0
    const setItem = Storage.prototype.setItem
    Storage.prototype.setItem = function (key: string, value: string) {
      w.storageWrites++
      return setItem.call(this, key, value)
    }
  })
  return { page, bodies, loaded, answers }
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

describe('privacy signals', () => {
  it.each([
    ['Do Not Track', () => Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1' })],
    ['Global Privacy Control', () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true })],
  ])('sends nothing under %s', async (_, signal) => {
    const context = await browser.newContext()
    await context.addInitScript(signal)
    const { page, bodies, loaded } = await openPage(context)
    await page.goto(`${origin}/about.html`)
    await page.waitForFunction(() => typeof (window as unknown as { fieldmark?: unknown }).fieldmark == 'function')
    await page.click('#signup')
    await page.click('#app')
    await page.click('#to-settings')
    await page.goto('about:blank')
    await context.close()
    expect(bodies).toEqual([])
    expect(new Set(loaded)).toEqual(new Set(['/js/script.js'])) // no module either
  })
})

describe('the tracker on a fixture site', () => {
  it('turns scripted visits into the expected rows, and keeps nothing in the browser', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    const { page, bodies, loaded, answers } = await openPage(context)

    // The home page from Hacker News: pageview, clicks, a rage burst on a dead banner, scrolling.
    await page.goto(`${origin}/?utm_source=newsletter&secret=hunter2`, { referer: 'https://news.ycombinator.com/item?id=1' })
    const arrived = Date.now()
    await page.waitForFunction(() => (window as unknown as { fieldmark?: { e?: unknown } }).fieldmark?.e)
    await expect.poll(() => loaded).toContain('/js/heat.js') // the answer to the first pageview: heatmaps are on
    expect(loaded).toContain('/js/extras.js')
    // Where playwright clicks: `position` counts from the padding box, inside the button's border; the page
    // is not scrolled yet, so this is in document coordinates.
    const box = await page.$eval('#buy', (b) => ({ x: b.getBoundingClientRect().x + b.clientLeft, y: b.getBoundingClientRect().y + b.clientTop }))
    for (const x of [20, 100, 180]) await page.click('#buy', { position: { x, y: 30 } })
    for (let i = 0; i < 4; i++) await page.click('#promo', { position: { x: 50, y: 50 }, delay: 10 })
    await page.evaluate(() => window.scrollTo(0, 1200))
    await pause(1200) // the dead-click second passes
    await page.evaluate(() => window.scrollTo(0, 0))
    const documentHeight = await page.evaluate(() => document.documentElement.scrollHeight)
    await page.click('#report') // a download: the page stays
    await page.click('#partner') // an outbound link: the page is left for partner.example
    const left = Date.now()
    await page.waitForURL(/partner\.example|chrome-error/)

    // About, a custom event with props and revenue, then the SPA with calls queued before the script.
    await page.goto(`${origin}/about.html?ref=nav&secret=abc`)
    await page.click('#signup')
    await page.click('#app')
    await page.waitForURL(`${origin}/app/`)
    await page.waitForFunction(() => (window as unknown as { fieldmark?: { e?: unknown } }).fieldmark?.e)
    await page.click('#to-settings') // pushState
    await page.click('#to-inbox') // replaceState
    await page.goBack() // popstate
    await page.waitForURL(`${origin}/app/`)
    // The popstate pageview is a beacon: let it land before the next page's pageview, so that the rows'
    // order (by arrival) is the visit's.
    await expect.poll(() => bodies.filter((b) => /"n":"pageview","u":"[^"]*\/app\/"/.test(b)).length).toBe(2)
    await pause(300)
    await page.goto(`${origin}/no-such-page`)
    await page.waitForFunction(() => (window as unknown as { fieldmark?: { a?: unknown } }).fieldmark?.a)
    await expect.poll(() => bodies.some((b) => b.includes('"404"'))).toBe(true)

    // Nothing kept in the browser, and no query key but UTM tags ever sent.
    expect(await page.evaluate(() => document.cookie)).toBe('')
    expect(await page.evaluate(() => [localStorage.length, sessionStorage.length])).toEqual([0, 0])
    expect(await page.evaluate(() => (window as unknown as { storageWrites: number }).storageWrites)).toBe(0)
    await page.goto('about:blank') // the last page's engagement goes as it is left
    await context.close()
    expect(answers.filter((a) => !a.startsWith('202'))).toEqual([])
    expect(bodies.join('\n')).not.toMatch(/secret|hunter2|abc|tab=profile/)
    expect(bodies.join('\n')).toContain('utm_source=newsletter')

    await server.settle()
    await server.stop({ keep: true })
    const rows = (sql: string): Promise<Record<string, unknown>[]> => server.rows(sql)

    const pageviews = await rows(
      "SELECT pathname, referrer, referrer_source, utm_source, person_id > 0 AS identified FROM events WHERE kind = 'pageview' ORDER BY timestamp",
    )
    expect(pageviews.map((r) => r.pathname)).toEqual(['/', '/about.html', '/app/', '/app/settings', '/app/inbox', '/app/', '/no-such-page'])
    expect(pageviews[0]).toMatchObject({ referrer: 'news.ycombinator.com/item', referrer_source: 'Hacker News', utm_source: 'newsletter' })
    expect(pageviews.slice(1).every((r) => r.referrer === '')).toBe(true) // internal referrers are not sources
    expect(pageviews.map((r) => Number(r.identified))).toEqual([0, 0, 1, 1, 1, 1, 0])

    const engagement = await rows(
      "SELECT pathname, engagement_ms, scroll_depth FROM events WHERE kind = 'engagement' ORDER BY timestamp",
    )
    expect(engagement.map((r) => r.pathname)).toEqual(['/', '/about.html', '/app/', '/app/settings', '/app/inbox', '/app/', '/no-such-page'])
    const home = engagement[0]
    expect(Number(home.engagement_ms)).toBeGreaterThan(left - arrived - 1500)
    expect(Number(home.engagement_ms)).toBeLessThanOrEqual(left - arrived + 500)
    expect(Number(home.scroll_depth)).toBe(Math.round(((1200 + 800) / documentHeight) * 100))

    const events = await rows(
      "SELECT name, props, toString(revenue_amount) AS amount, revenue_currency, pathname, person_id > 0 AS identified FROM events WHERE kind = 'custom' ORDER BY timestamp",
    )
    expect(events).toEqual([
      { name: 'File Download', props: { url: `${origin}/files/report-2026.pdf` }, amount: null, revenue_currency: '', pathname: '/', identified: 0 },
      { name: 'Outbound Link: Click', props: { url: 'https://partner.example/offer' }, amount: null, revenue_currency: '', pathname: '/', identified: 0 },
      { name: 'Signup', props: { plan: 'pro' }, amount: '49.9', revenue_currency: 'EUR', pathname: '/about.html', identified: 0 },
      { name: 'App Opened', props: { from: 'queue' }, amount: null, revenue_currency: '', pathname: '/app/', identified: 1 },
      { name: '404', props: { path: '/no-such-page' }, amount: null, revenue_currency: '', pathname: '/no-such-page', identified: 0 },
    ])

    const clicks = await rows(
      "SELECT selector, tag, label, rage, dead, click_x, click_y, viewport_width, document_height FROM events WHERE kind = 'click' ORDER BY click_x",
    )
    const buy = clicks.filter((c) => c.selector == '#buy')
    const promo = clicks.filter((c) => c.selector == '#promo')
    expect(buy.map((c) => [c.tag, c.label, c.rage, c.dead])).toEqual(Array(3).fill(['button', 'Buy for .', false, false]))
    // A batch's clicks share the time it arrived, so the burst's order is not in the rows: its third and
    // fourth clicks are the rage clicks, and all four are dead (the banner does nothing).
    expect(promo.map((c) => [c.tag, c.rage, c.dead]).sort()).toEqual([
      ['div', false, true],
      ['div', false, true],
      ['div', true, true],
      ['div', true, true],
    ])
    expect(promo.every((c) => c.label === '')).toBe(true) // no text of other elements
    expect(buy.map((c) => c.viewport_width)).toEqual([1280, 1280, 1280])
    expect(Number(buy[0].document_height)).toBe(documentHeight)
    expect(buy.map((c) => [Number(c.click_x) - box.x, Number(c.click_y) - box.y])).toEqual([
      [20, 30],
      [100, 30],
      [180, 30],
    ])
    const visitors = await rows('SELECT count(DISTINCT visitor_id) AS n, count(DISTINCT session_id) AS s FROM events')
    expect(visitors).toEqual([{ n: 1, s: 1 }])
  })
})
