/** Heatmaps end to end, in Chromium, on a fixture page of known layout (e2e/site/heat.html): scripted
 * clicks and scrolls at desktop and mobile widths go through the real pipeline, and the aggregation API
 * returns exactly those counts; then the overlay draws them, on the page (opened from the dashboard's
 * "View heatmap on page") and inside the dashboard's frame at 390 and 1440 px, and screenshots are
 * checked pixel by pixel: the hottest spot is over the most clicked button, and unclicked areas carry
 * no heat. Tokens: an expired one and another site's are refused in the overlay; ordinary visits never
 * load it, and the overlay sends no events. */
import { createHmac } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { PNG } from 'pngjs'
import { launchChromium, startFieldmark, type Running } from '../../../apps/frontend/e2e/fieldmark'
import { createSiteAs, signUp, startFixtureSite, type FixtureSite } from './fixture'

const HOST = 'heat.test'
const OTHER = 'other-heat.test'
const SECRET_KEY = 'heatmap browser test secret, long enough to sign with'
const DESKTOP_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36'
const MOBILE_UA = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Mobile Safari/537.36'
const DESKTOP = { width: 1440, height: 900 }
const MOBILE = { width: 390, height: 844 }
// Scripted clicks: N on the button, M on the link, and a burst of four on a dead banner (the third and
// fourth are rage clicks: three or more within a second and 30 px). Clicks on one spot are spaced over
// half a second apart so that they are not rage clicks themselves.
const N = { desktop: 6, mobile: 2 }
const M = { desktop: 3, mobile: 1 }
const BURST = 4
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/screenshots/heatmaps', import.meta.url))

let server: Running
let site: FixtureSite
let desktop: Browser
let mobile: Browser
let auth: Record<string, string>
let cookie: { name: string; value: string }
let siteId = ''
let otherId = ''
let origin = ''

const blocked: string[] = [] // Content Security Policy reports on dashboard pages
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

beforeAll(async () => {
  server = await startFieldmark({ SECRET_KEY })
  ;({ auth, cookie } = await signUp(server.url))
  siteId = await createSiteAs(server.url, auth, { domain: HOST }, { heatmaps: true })
  otherId = await createSiteAs(server.url, auth, { domain: OTHER }, { heatmaps: true })
  site = await startFixtureSite(() => `<script defer data-domain="${HOST}" data-local src="${server.url}/js/script.js"></script>`)
  origin = `http://${HOST}:${site.port}`
  desktop = await launchChromium([HOST, OTHER], DESKTOP_UA)
  mobile = await launchChromium([HOST], MOBILE_UA)
})

afterAll(async () => {
  expect(blocked).toEqual([]) // the dashboard's own policy blocked nothing (framing the site included)
  await desktop?.close()
  await mobile?.close()
  await site?.close()
  await server?.stop()
})

/** A page of the context, with the paths of every script it loads and the bodies it posts to the collect
 * endpoint. */
async function watched(context: BrowserContext): Promise<{ page: Page; scripts: string[]; events: string[] }> {
  const page = await context.newPage()
  const scripts: string[] = []
  const events: string[] = []
  page.on('request', (request) => {
    const url = new URL(request.url())
    if (url.pathname.startsWith('/js/')) scripts.push(url.pathname)
    if (url.pathname == '/api/event') events.push(request.postData() ?? '')
  })
  return { page, scripts, events }
}

async function centre(page: Page, selector: string): Promise<{ x: number; y: number }> {
  const box = (await page.locator(selector).boundingBox())!
  return { x: Math.round(box.x + box.width / 2), y: Math.round(box.y + box.height / 2) }
}

async function clickTimes(page: Page, selector: string, times: number, gap: number): Promise<void> {
  const { x, y } = await centre(page, selector)
  for (let i = 0; i < times; i++) {
    await page.mouse.click(x, y)
    await pause(gap)
  }
}

/** Opens the fixture page as a visitor, waits for the behavioural module, does `act`, and leaves (which
 * sends the pending clicks and the pageview's engagement). */
async function visit(browser: Browser, viewport: { width: number; height: number }, act: (page: Page) => Promise<void>): Promise<string[]> {
  const context = await browser.newContext({ viewport })
  const { page, scripts } = await watched(context)
  const heat = page.waitForResponse((r) => r.url().endsWith('/js/heat.js'))
  await page.goto(`${origin}/heat.html`)
  await heat
  await pause(300) // the module runs
  await act(page)
  await pause(1200) // every click's dead-or-not second is over
  await page.goto('about:blank')
  await context.close()
  return scripts
}

async function heatmap(body: Record<string, unknown>, id = siteId): Promise<Record<string, any>> {
  const answer = await fetch(`${server.url}/api/sites/${id}/heatmap`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...auth },
    body: JSON.stringify({ page: '/heat.html', date_range: '7d', ...body }),
  })
  expect(answer.status).toBe(200)
  return answer.json()
}

const counts = (elements: { selector: string; clicks: number }[]): Record<string, number> =>
  Object.fromEntries(elements.map((e) => [e.selector, e.clicks]))

/** The pixels of a PNG screenshot. */
function pixels(png: Buffer): { width: number; height: number; at(x: number, y: number): [number, number, number] } {
  const image = PNG.sync.read(png)
  return {
    width: image.width,
    height: image.height,
    at: (x, y) => {
      const i = (image.width * y + x) * 4
      return [image.data[i], image.data[i + 1], image.data[i + 2]]
    },
  }
}

interface Rect {
  x: number
  y: number
  width: number
  height: number
}
const inside = (x: number, y: number, r: Rect): boolean => x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height
/** A rectangle of the page as it shows in a frame scaled by `k`, grown by `margin` px for resampling. */
const scaled = (r: Rect, k: number, margin = 0): Rect => ({
  x: Math.floor(r.x * k) - margin,
  y: Math.floor(r.y * k) - margin,
  width: Math.ceil(r.width * k) + 2 * margin,
  height: Math.ceil(r.height * k) + 2 * margin,
})

/** Checks a screenshot of the page with its click heatmap: the hot (red) pixels all lie over the button,
 * there are enough of them to see, and `blank` (an area nobody clicked) is untouched white. */
function checkHeat(png: Buffer, button: Rect, blank: Rect, name: string): void {
  mkdirSync(ARTIFACTS, { recursive: true })
  writeFileSync(`${ARTIFACTS}/${name}.png`, png) // kept for a look after a failure
  const image = pixels(png)
  let hot = 0
  const stray: string[] = []
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const [r, g, b] = image.at(x, y)
      if (r > 200 && g < 90 && b < 90) {
        hot++
        if (!inside(x, y, button)) stray.push(`${x},${y}`)
      }
    }
  }
  expect(stray.slice(0, 10)).toEqual([])
  expect(hot).toBeGreaterThan(20)
  const coloured: string[] = []
  for (let y = blank.y; y < blank.y + blank.height; y += 3) {
    for (let x = blank.x; x < blank.x + blank.width; x += 3) {
      if (image.at(x, y).some((c) => c != 255)) coloured.push(`${x},${y}`)
    }
  }
  expect(coloured.slice(0, 10)).toEqual([])
}

/** The outlines the overlay drew (in `scope`, a page or a frame): selector → caption and place. */
async function outlines(scope: Page | ReturnType<Page['frameLocator']>): Promise<Record<string, { caption: string; rect: Rect }>> {
  const boxes = scope.locator('fieldmark-heatmap .box')
  const found: Record<string, { caption: string; rect: Rect }> = {}
  for (const box of await boxes.all()) {
    const selector = (await box.getAttribute('data-selector'))!
    const style = (await box.getAttribute('style')) ?? ''
    const px = (name: string): number => Number(new RegExp(`${name}: ([\\d.]+)px`).exec(style)?.[1])
    found[selector] = {
      caption: (await box.locator('span').textContent()) ?? '',
      rect: { x: px('left'), y: px('top'), width: px('width'), height: px('height') },
    }
  }
  return found
}

/** A dashboard page signed in as the site's owner. */
async function dashboard(viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await desktop.newContext({ viewport })
  await context.addCookies([{ ...cookie, url: server.url }])
  const page = await context.newPage()
  page.on('console', (message) => {
    // (A framed page's own refusal to be framed is the site's policy, which the test provokes.)
    if (/Content Security Policy/i.test(message.text()) && !/^Framing '/.test(message.text())) blocked.push(message.text())
  })
  await page.goto(`${server.url}/sites/${siteId}/heatmaps?period=7d`)
  await page.getByRole('heading', { name: 'Heatmaps' }).waitFor()
  await page.getByRole('heading', { name: 'The page with its heatmap' }).waitFor()
  return { context, page }
}

describe('heatmaps', () => {
  it('turns scripted clicks and scrolls at desktop and mobile widths into exactly those aggregates', async () => {
    const loaded = await visit(desktop, DESKTOP, async (page) => {
      await clickTimes(page, '#buy', N.desktop, 550)
      await clickTimes(page, '#docs', M.desktop, 550)
      await clickTimes(page, '#banner', BURST, 60)
    })
    // Scroll depths: the first visit saw 900 of 3,000 px (30%), then 70% and 100%.
    await visit(desktop, DESKTOP, (page) => page.evaluate(() => scrollTo(0, 1200)))
    await visit(desktop, DESKTOP, (page) => page.evaluate(() => scrollTo(0, 3000)))
    await visit(mobile, MOBILE, async (page) => {
      await clickTimes(page, '#buy', N.mobile, 550)
      await clickTimes(page, '#docs', M.mobile, 550)
    })
    // An ordinary visit loads the core and the behavioural module, never the overlay.
    expect(loaded).toEqual(['/js/script.js', '/js/heat.js'])
    await server.settle()

    const onDesktop = await heatmap({ device: 'Desktop' })
    expect(counts(onDesktop.elements)).toEqual({ '#buy': N.desktop, '#docs': M.desktop, '#banner': BURST })
    expect(onDesktop.clicks).toBe(N.desktop + M.desktop + BURST)
    expect(onDesktop.troubles).toEqual([{ selector: '#banner', rage: BURST - 2, dead: BURST, pages: ['/heat.html'] }])
    const reached = (answer: Record<string, any>): Record<number, number> =>
      Object.fromEntries(answer.scroll.map((d: { depth: number; share: number }) => [d.depth, d.share]))
    expect(onDesktop.pageviews).toBe(3)
    const desktopScroll = reached(onDesktop)
    for (let depth = 0; depth <= 100; depth += 5) {
      expect(desktopScroll[depth], `depth ${depth}`).toBe(depth <= 30 ? 100 : depth <= 70 ? 66.7 : 33.3)
    }

    const onMobile = await heatmap({ device: 'Mobile' })
    expect(counts(onMobile.elements)).toEqual({ '#buy': N.mobile, '#docs': M.mobile })
    expect(onMobile.troubles).toEqual([])
    expect(onMobile.pageviews).toBe(1) // 844 of 3,000 px: 28%
    expect(reached(onMobile)[25]).toBe(100)
    expect(reached(onMobile)[30]).toBe(0)

    const everywhere = await heatmap({})
    expect(counts(everywhere.elements)).toEqual({ '#buy': N.desktop + N.mobile, '#docs': M.desktop + M.mobile, '#banner': BURST })
    expect(reached(everywhere)[25]).toBe(100)
    expect(reached(everywhere)[30]).toBe(75)
    expect(reached(everywhere)[70]).toBe(50)
    expect(reached(everywhere)[75]).toBe(25)
    // By viewport width as well as by device class.
    expect(counts((await heatmap({ viewport: [0, 599] })).elements)).toEqual({ '#buy': N.mobile, '#docs': M.mobile })
    const pages = await fetch(`${server.url}/api/sites/${siteId}/heatmap/pages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...auth },
      body: JSON.stringify({ date_range: '7d' }),
    })
    expect(await pages.json()).toEqual([{ page: '/heat.html', clicks: N.desktop + N.mobile + M.desktop + M.mobile + BURST }])
  })

  it('draws the heatmap over the page opened from the dashboard, sending nothing', async () => {
    const { context, page } = await dashboard({ width: 1440, height: 900 })
    await page.getByLabel('Page address').fill(`${origin}/heat.html`)
    const sent: string[] = []
    const scripts: string[] = []
    context.on('request', (request) => {
      const url = new URL(request.url())
      if (url.pathname == '/api/event') sent.push(url.href)
      if (url.pathname.startsWith('/js/')) scripts.push(url.pathname)
    })
    const [onPage] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: 'View heatmap on page' }).first().click()])
    await onPage.waitForURL((url) => url.href.startsWith(`${origin}/heat.html#fmh_`))
    await onPage.setViewportSize(DESKTOP)
    await onPage.locator('fieldmark-heatmap[data-state=drawn]').waitFor({ state: 'attached' })
    await onPage.getByRole('toolbar', { name: 'Fieldmark heatmap' }).getByText(`${N.desktop + N.mobile + M.desktop + M.mobile + BURST} clicks on /heat.html`).waitFor()
    // All devices at first; the toolbar narrows to desktops.
    await onPage.getByLabel('Device').selectOption('Desktop')
    await onPage.getByText(`${N.desktop + M.desktop + BURST} clicks on /heat.html`).waitFor()

    const drawn = await outlines(onPage)
    expect(drawn['#buy'].caption).toMatch(new RegExp(`^${N.desktop} clicks`))
    expect(drawn['#docs'].caption).toMatch(new RegExp(`^${M.desktop} clicks`))
    const button = (await onPage.locator('#buy').boundingBox())!
    expect(drawn['#buy'].rect).toEqual({ x: button.x, y: button.y, width: button.width, height: button.height })
    checkHeat(await onPage.screenshot(), button, { x: 700, y: 100, width: 600, height: 600 }, 'on-page-1440')

    // The other views: scroll bands, the dead banner outlined with its rage and dead clicks.
    await onPage.getByRole('button', { name: 'Rage' }).click()
    expect((await outlines(onPage))['#banner'].caption).toBe(`${BURST - 2} rage clicks`)
    await onPage.getByRole('button', { name: 'Dead' }).click()
    expect((await outlines(onPage))['#banner'].caption).toBe(`${BURST} dead clicks`)
    await onPage.getByRole('button', { name: 'Scroll' }).click()
    await onPage.getByText('3 pageviews of /heat.html').waitFor()

    // The page loaded the core and the overlay (not the behavioural module) and sent no event.
    expect(scripts).toEqual(['/js/script.js', '/js/overlay.js'])
    expect(sent).toEqual([])
    await context.close()
  })

  it('draws it inside the dashboard, in a frame at 1440 and 390 px', async () => {
    const { context, page } = await dashboard({ width: 1800, height: 1300 })
    await page.getByLabel('Page address').fill(`${origin}/heat.html`)
    await page.getByRole('button', { name: /^Desktop/ }).click()
    await page.getByRole('button', { name: 'Show in frame' }).click()
    const status = page.getByTestId('frame-status')
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toContain(`${N.desktop + M.desktop + BURST} clicks, 3 elements outlined`)
    const frame = page.frameLocator('iframe[title="The page with its heatmap"]')
    const iframe = page.locator('iframe[title="The page with its heatmap"]')
    // The page lays out at 1440 px; the dashboard shows the frame scaled down to fit its card.
    expect(await iframe.evaluate((element: HTMLIFrameElement) => element.offsetWidth)).toBe(1440)
    let scale = (await iframe.boundingBox())!.width / 1440
    expect(scale).toBeGreaterThan(0.5)
    expect(scale).toBeLessThanOrEqual(1)
    let drawn = await outlines(frame)
    expect(drawn['#buy'].caption).toMatch(new RegExp(`^${N.desktop} clicks`))
    expect(drawn['#docs'].caption).toMatch(new RegExp(`^${M.desktop} clicks`))
    const button = { x: 40, y: 120, width: 160, height: 48 } // in the frame, unscrolled
    expect(drawn['#buy'].rect).toEqual(button)
    checkHeat(await iframe.screenshot(), scaled(button, scale, 2), scaled({ x: 700, y: 100, width: 600, height: 600 }, scale), 'frame-1440')

    // Mobile: 390 px wide, the phones' clicks.
    await page.getByRole('button', { name: /^Mobile/ }).click()
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toContain(`${N.mobile + M.mobile} clicks, 2 elements outlined`)
    expect(await iframe.evaluate((element: HTMLIFrameElement) => element.offsetWidth)).toBe(390)
    scale = (await iframe.boundingBox())!.width / 390
    expect(scale).toBe(1) // a phone's width fits
    drawn = await outlines(frame)
    expect(drawn['#buy'].caption).toMatch(new RegExp(`^${N.mobile} clicks`))
    expect(drawn['#docs'].caption).toMatch(new RegExp(`^${M.mobile} click`))
    checkHeat(await iframe.screenshot(), button, { x: 260, y: 100, width: 100, height: 600 }, 'frame-390')

    // A page that refuses to be framed: the dashboard says so and offers the on-page overlay.
    await page.getByLabel('Page address').fill(`${origin}/unframeable.html`)
    await page.getByRole('button', { name: 'Show in frame' }).click()
    const refused = page.getByTestId('frame-refused')
    await refused.waitFor({ timeout: 20_000 })
    expect(await refused.textContent()).toContain('refuses to be framed')
    await refused.getByRole('button', { name: 'View heatmap on page' }).waitFor()
    await context.close()
  })

  it('never makes or sends a token for an address off the site’s hostnames (?url=)', async () => {
    const { context, page } = await dashboard(DESKTOP)
    const asked: string[] = [] // every request the browser makes to the other origin
    await context.route(`http://${OTHER}/**`, (route) => {
      asked.push(route.request().url())
      return route.fulfill({ status: 200, contentType: 'text/html', body: '<p>not the site</p>' })
    })
    const issued: number[] = []
    page.on('response', (r) => {
      if (r.url().endsWith('/heatmap-token')) issued.push(r.status())
    })
    await page.goto(`${server.url}/sites/${siteId}/heatmaps?period=7d&url=${encodeURIComponent(`http://${OTHER}/steal`)}`)
    await page.getByRole('heading', { name: 'The page with its heatmap' }).waitFor()
    await page.getByRole('button', { name: 'Show in frame' }).click()
    await page.getByText('that address is not a page of this site').waitFor()
    const pages = context.pages().length
    await page.getByRole('button', { name: 'View heatmap on page' }).first().click()
    await expect.poll(() => issued).toEqual([400, 400])
    await page.waitForTimeout(300) // a tab opened by the click would have been pointed at the address by now
    expect(asked).toEqual([])
    expect(context.pages().length).toBe(pages)
    // The site's own page still opens, token and all: the check is the hostname, not every address.
    await page.getByLabel('Page address').fill(`${origin}/heat.html`)
    await page.getByRole('button', { name: 'Show in frame' }).click()
    await page.getByTestId('frame-status').getByText(/clicks/).waitFor({ timeout: 20_000 })
    expect(issued).toEqual([400, 400, 201])
    await context.close()
  })

  it('refuses an expired token and another site’s token in the overlay', async () => {
    const context = await desktop.newContext({ viewport: DESKTOP })
    const { page, events } = await watched(context)
    // A token signed as Fieldmark signs them (SECRET_KEY), that expired a minute ago.
    const body = `${siteId.replace(/-/g, '')}_${Math.floor(Date.now() / 1000) - 60}`
    const key = createHmac('sha256', SECRET_KEY).update('fieldmark heatmap token').digest()
    const expired = `fmh_${body}_${createHmac('sha256', key).update(body).digest('base64url')}`
    await page.goto(`${origin}/heat.html#${expired}&api=${encodeURIComponent(server.url)}`)
    await page.locator('fieldmark-heatmap[data-state=error]').waitFor({ state: 'attached' })
    await page.getByText('This heatmap link has expired: open it again from the dashboard.').waitFor()
    expect(await page.locator('fieldmark-heatmap .box').count()).toBe(0)

    // A live token of another site: its heatmaps may not be read from this site's pages (CORS), and the
    // API refuses it for this site.
    const issued = await fetch(`${server.url}/api/sites/${otherId}/heatmap-token`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ url: `http://${OTHER}/` }),
    })
    expect(issued.status).toBe(201)
    const other = (await issued.json()).token
    await page.goto(`${origin}/heat.html#${other}&api=${encodeURIComponent(server.url)}`)
    await page.reload()
    await page.locator('fieldmark-heatmap[data-state=error]').waitFor({ state: 'attached' })
    expect(await page.locator('fieldmark-heatmap .box').count()).toBe(0)
    const read = await fetch(`${server.url}/api/sites/${siteId}/heatmap`, {
      method: 'POST',
      headers: { Authorization: `Heatmap ${other}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ page: '/heat.html' }),
    })
    expect(read.status).toBe(404)
    expect(events).toEqual([])
    await context.close()
  })
})
