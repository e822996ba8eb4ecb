/** Hostile text in everything a visitor or a member controls (page paths, referrers, UTM tags, custom
 * event names and property values, a site's name) is shown by the dashboard as text: in Chromium, no
 * element of a payload is created and no script of one runs, on every page that shows that data. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { launchChromium, startFieldmark, type Running } from './fieldmark'

const PASSWORD = 'a long enough passphrase'
const IMG = '<img src=x id=pwned onerror="window.__pwned=1">'
const SCRIPT = '<script>window.__pwned=2</script>'
const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0'
let server: Running
let browser: Browser
let siteId = ''
let hostilePath = '' // the page path as stored (and shown)

async function call(path: string, init: RequestInit & { cookie?: string; csrf?: string } = {}): Promise<{ status: number; body: any; cookie: string | null }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' }
  if (init.cookie) headers.Cookie = init.cookie
  if (init.csrf) headers['X-CSRF-Token'] = init.csrf
  const response = await fetch(server.url + path, { ...init, headers })
  return { status: response.status, body: await response.json().catch(() => null), cookie: response.headers.get('set-cookie') }
}

beforeAll(async () => {
  server = await startFieldmark()
  browser = await launchChromium()
  const registered = await call('/api/auth/register', { method: 'POST', body: JSON.stringify({ email: 'ada@example.com', password: PASSWORD }) })
  const cookie = String(registered.cookie).split(';')[0]
  const csrf = registered.body.csrf_token
  const teams = await call('/api/teams', { cookie })
  const site = await call(`/api/teams/${teams.body[0].id}/sites`, { method: 'POST', cookie, csrf, body: JSON.stringify({ domain: 'xss.example', name: `Shop ${IMG}` }) })
  expect(site.status).toBe(201)
  siteId = site.body.id
  const events = [
    // Raw, as a server-side sender may post them (a browser would percent-encode the path).
    { n: 'pageview', u: `https://xss.example/${SCRIPT}?utm_campaign=${encodeURIComponent(IMG)}`, r: `https://evil.example/${IMG}` },
    { n: 'pageview', u: `https://xss.example/"><svg onload=window.__pwned=3>`, r: 'https://news.example/' },
    { n: `Signup ${IMG}`, u: 'https://xss.example/', p: { plan: IMG, [SCRIPT]: 'x' } },
  ]
  for (const event of events) {
    const sent = await fetch(server.url + '/api/event', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', 'User-Agent': UA },
      body: JSON.stringify({ ...event, d: 'xss.example' }),
    })
    expect(sent.status).toBe(202)
  }
  await server.settle()
  const pages = await call(`/api/sites/${siteId}/query`, {
    method: 'POST',
    cookie,
    csrf,
    body: JSON.stringify({ metrics: ['visitors'], date_range: 'day', dimensions: ['event:page'] }),
  })
  hostilePath = pages.body.results.map((r: { dimensions: string[] }) => r.dimensions[0]).find((p: string) => p.includes('script'))
  expect(hostilePath).toContain('<script>') // kept as the visitor's browser sent it: the test needs the raw text
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

/** No payload became an element or ran. */
async function clean(page: Page): Promise<void> {
  const found = await page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
    elements: document.querySelectorAll('#pwned, svg[onload], img[src="x"]').length,
  }))
  expect(found).toEqual({ pwned: null, elements: 0 })
}

describe('hostile text', () => {
  it('is shown as text on the dashboard, its lists, realtime and settings', async () => {
    const page = await browser.newPage()
    const dialogs: string[] = []
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.dismiss()
    })
    await page.goto(server.url + '/login')
    await page.getByRole('heading', { name: 'Sign in' }).waitFor()
    await page.fill('input[name=email]', 'ada@example.com')
    await page.fill('input[name=password]', PASSWORD)
    await page.click('button[type=submit]')
    await page.waitForURL(/\/sites$/)
    await page.getByRole('link', { name: 'xss.example' }).first().waitFor()
    await clean(page)
    await page.goto(`${server.url}/sites/${siteId}/settings`)
    await expect.poll(() => page.inputValue('input[name=name]')).toBe(`Shop ${IMG}`) // the site's name, as given
    await clean(page)

    await page.goto(`${server.url}/sites/${siteId}?period=day`)
    await page.getByText(hostilePath).first().waitFor() // the page path, as text
    await clean(page)
    // Sources (the hostile referrer's host is plain; its path is dropped), campaigns, custom events.
    await page.locator('[data-panel=Sources]').getByRole('tab', { name: 'Campaigns' }).click()
    await page.getByText(IMG).first().waitFor()
    await clean(page)
    await page.locator('[data-panel=Pages]').getByRole('button', { name: 'Details' }).click()
    await page.getByRole('dialog', { name: 'Pages' }).getByText('/"><svg onload=window.__pwned=3>').waitFor()
    await clean(page)

    for (const view of ['realtime', 'settings', 'funnels', 'journeys']) {
      await page.goto(`${server.url}/sites/${siteId}/${view}`)
      await page.locator('h1').first().waitFor()
      await clean(page)
    }
    expect(dialogs).toEqual([])
  })
})
