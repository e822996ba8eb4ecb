/** Sign in and read a site's numbers in Chromium: events posted to the collect endpoint land through the
 * writer, the Stats API counts them, and the dashboard shows exactly those counts. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { launchChromium, startFieldmark, type Running } from './fieldmark'
import { totp } from './totp'

const PASSWORD = 'a long enough passphrase'
let server: Running
let browser: Browser
let siteId = ''

async function json(path: string, init: RequestInit & { cookie?: string; csrf?: string } = {}): Promise<any> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' }
  if (init.cookie) headers.Cookie = init.cookie
  if (init.csrf) headers['X-CSRF-Token'] = init.csrf
  const response = await fetch(server.url + path, { ...init, headers })
  return { status: response.status, body: await response.json().catch(() => null), cookie: response.headers.get('set-cookie') }
}

/** An IANA zone (Etc/GMT±N) whose local time is about 12:00 now. */
function noonZone(): string {
  const hours = 12 - new Date().getUTCHours() // from -11 to 12
  return hours >= 0 ? `Etc/GMT-${hours}` : `Etc/GMT+${-hours}` // Etc/GMT-N is UTC+N
}

/** A new page signed in as the site's owner, on the sites list. */
// Anything the Content Security Policy blocked on a dashboard page (it must block nothing of ours).
const blocked: string[] = []

async function signIn(): Promise<Page> {
  const page = await browser.newPage()
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) blocked.push(message.text())
  })
  await page.goto(server.url + '/login')
  await page.getByRole('heading', { name: 'Sign in' }).waitFor()
  await page.fill('input[name=email]', 'ada@example.com')
  await page.fill('input[name=password]', PASSWORD)
  await page.click('button[type=submit]')
  await page.waitForURL(/\/sites$/)
  return page
}

beforeAll(async () => {
  server = await startFieldmark()
  browser = await launchChromium()
  const registered = await json('/api/auth/register', {
    method: 'POST',
    body: JSON.stringify({ email: 'ada@example.com', password: PASSWORD }),
  })
  const cookie = String(registered.cookie).split(';')[0]
  const csrf = registered.body.csrf_token
  const teams = await json('/api/teams', { cookie })
  const site = await json(`/api/teams/${teams.body[0].id}/sites`, {
    method: 'POST',
    cookie,
    csrf,
    // A zone where it is about noon now, so "today" cannot turn over while the test runs.
    body: JSON.stringify({ domain: 'blog.example', timezone: noonZone() }),
  })
  siteId = site.body.id
  const goal = await json(`/api/sites/${siteId}/goals`, {
    method: 'POST',
    cookie,
    csrf,
    body: JSON.stringify({ match: { kind: 'pageview', path: '/about' } }),
  })
  expect(goal.status).toBe(201)
  const heatmapsOn = await json(`/api/sites/${siteId}`, {
    method: 'PATCH',
    cookie,
    csrf,
    body: JSON.stringify({ tracker_options: { heatmaps: true } }),
  })
  expect(heatmapsOn.status).toBe(200)
  const clicks = [0, 1].map((i) => ({
    n: 'click', k: 'click', u: 'https://blog.example/', d: 'blog.example', x: 100 + i, y: 200, vw: 1280, vh: 800,
    dw: 1280, dh: 2000, s: '#subscribe', t: 'button', lb: 'Subscribe', dd: i === 1,
  }))  // prettier-ignore
  const clicked = await fetch(server.url + '/api/event', {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain', 'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0' },
    body: JSON.stringify(clicks),
  })
  expect(clicked.status).toBe(202)
  const visits: [string, string[]][] = [
    ['Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0', ['/', '/about']],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/17.1 Safari/605.1.15', ['/']],
  ]
  for (const [agent, pages] of visits) {
    for (const page of pages) {
      const sent = await fetch(server.url + '/api/event', {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain', 'User-Agent': agent },
        body: JSON.stringify({ n: 'pageview', u: `https://blog.example${page}`, d: 'blog.example' }),
      })
      expect(sent.status).toBe(202)
    }
  }
  // The writer lands the batch within a second or so.
  const deadline = Date.now() + 20_000
  for (;;) {
    const answer = await json(`/api/sites/${siteId}/query`, {
      method: 'POST',
      cookie,
      csrf,
      body: JSON.stringify({ metrics: ['pageviews'], date_range: 'day' }),
    })
    if (answer.body?.results?.[0]?.metrics?.[0] === 3) break
    if (Date.now() > deadline) throw new Error(`the events did not land: ${JSON.stringify(answer.body)}`)
    await new Promise((r) => setTimeout(r, 200))
  }
})

afterAll(async () => {
  expect(blocked).toEqual([])
  await browser?.close()
  await server?.stop()
})

describe('a site overview', () => {
  it('signs in, lists the site and shows its visitors, pageviews and top pages', async () => {
    const page = await browser.newPage()
    await page.goto(server.url + '/sites')
    await expect.poll(() => page.url()).toContain('/login?next=')
    await page.fill('input[name=email]', 'ada@example.com')
    await page.fill('input[name=password]', 'a wrong password')
    await page.click('button[type=submit]')
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('wrong')
    await page.fill('input[name=password]', PASSWORD)
    await page.click('button[type=submit]')
    // An owner adds a site and gets the snippet to paste; a bad domain gets the API's own message.
    await page.fill('input[name=domain]', 'not a domain')
    await page.click('text=Add site')
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('is not a domain name')
    await page.fill('input[name=domain]', 'shop.example')
    await page.click('text=Add site')
    await expect.poll(() => page.getByTestId('snippet-direct').textContent()).toContain('data-domain="shop.example"')
    // The first-party variant needs no data-api: the script posts next to the folder it came from.
    expect(await page.getByTestId('snippet-first-party').textContent()).toContain('src="/stats/js/script.js"')
    await expect.poll(() => page.getByRole('link', { name: 'shop.example' }).count()).toBe(1)

    await page.getByRole('link', { name: 'blog.example' }).click()
    await page.selectOption('select[name=period]', 'day')
    await expect.poll(() => page.url()).toContain('period=day') // the view is in the address
    const value = (metric: string) => page.locator(`[data-metric=${metric}] .value`).textContent()
    await expect.poll(() => value('pageviews')).toBe('3')
    expect(await value('visitors')).toBe('2')
    expect(await value('visits')).toBe('2')
    expect(await value('bounce_rate')).toBe('50%')
    expect(await value('views_per_visit')).toBe('1.5')
    const rows = (table: string) =>
      page
        .locator(`table[aria-label="${table}"] tbody tr`)
        .evaluateAll((trs) =>
          trs.map((tr) => Array.from((tr as HTMLTableRowElement).cells, (td) => td.textContent?.trim()).join(' ')),
        )
    await expect.poll(() => rows('Pages')).toEqual(['/ 2', '/about 1'])
    await expect.poll(() => rows('Channels')).toEqual(['Direct 2'])
    await page.getByRole('tab', { name: 'Sources', exact: true }).click()
    await expect.poll(() => rows('Sources')).toEqual(['Direct / None 2'])
    expect(decodeURIComponent(page.url())).toContain('t=Sources:1') // the open tab is in the address too
    // One of the two visitors reached /about: the goal converted 1 visitor of 2.
    await expect.poll(() => rows('Goals')).toEqual(['Visit /about 1 1 50%'])
    expect(await page.evaluate(() => document.cookie)).toBe('') // the session cookie is HttpOnly

    // Today by hour: 24 buckets, and the visitors in them are the day's visitors.
    const buckets = page.locator('table[aria-label="Visitors over time"] tbody tr')
    await expect.poll(() => buckets.count()).toBe(24)
    const values = await buckets.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-value'))))
    expect(values.reduce((a, b) => a + b, 0)).toBe(2)
    await expect.poll(() => page.locator('.echart svg path').count()).toBeGreaterThan(0) // drawn by ECharts

    // A page row filters the whole dashboard, in the address too; removing the filter restores it.
    await page.locator('table[aria-label="Pages"]').getByRole('button', { name: '/about' }).click()
    await expect.poll(() => decodeURIComponent(page.url())).toContain('f=is|event:page|/about')
    await expect.poll(() => value('visitors')).toBe('1')
    await expect.poll(() => rows('Pages')).toEqual(['/about 1'])
    await page.reload() // the same view from the address alone
    await expect.poll(() => value('visitors')).toBe('1')
    await page.getByRole('button', { name: 'Remove filter: Page is /about' }).click()
    await expect.poll(() => value('visitors')).toBe('2')

    // Signing out ends the session: the sites page sends the browser back to sign in.
    await page.getByRole('button', { name: 'Sign out' }).click()
    await expect.poll(() => page.url()).toMatch(/\/login$/)
    await page.goto(server.url + '/sites')
    await expect.poll(() => page.url()).toContain('/login?next=')
  })
})

describe('the views around the dashboard', () => {
  it('opens full lists, realtime, retention and journeys with the site\'s figures', async () => {
    const page = await browser.newPage()
    await page.goto(server.url + '/login')
    await page.fill('input[name=email]', 'ada@example.com')
    await page.fill('input[name=password]', PASSWORD)
    await page.click('button[type=submit]')
    await page.getByRole('link', { name: 'blog.example' }).click()
    await page.waitForURL(/\/sites\/[\w-]+$/)
    const siteUrl = page.url()
    const rows = (table: string) =>
      page
        .locator(`table[aria-label="${table}"] tbody tr`)
        .evaluateAll((trs) => trs.map((tr) => Array.from((tr as HTMLTableRowElement).cells, (td) => td.textContent?.trim()).join(' ')))

    // The full list: every page with all its columns, searchable and sortable.
    await page.locator('[data-panel=Pages]').getByRole('button', { name: 'Details' }).click()
    const dialog = page.getByRole('dialog', { name: 'Pages' })
    await expect.poll(() => rows('All pages')).toEqual(['/ 2 2 50%', '/about 1 1 0%'])
    await dialog.getByRole('button', { name: 'Pages', exact: true }).click() // by name, A to Z
    await expect.poll(() => rows('All pages')).toEqual(['/ 2 2 50%', '/about 1 1 0%'])
    await dialog.getByRole('button', { name: 'Pages', exact: true }).click() // Z to A
    await expect.poll(() => rows('All pages')).toEqual(['/about 1 1 0%', '/ 2 2 50%'])
    await dialog.getByRole('searchbox').fill('abo')
    await expect.poll(() => rows('All pages')).toEqual(['/about 1 1 0%'])
    await dialog.getByRole('button', { name: 'Close' }).click()
    await expect.poll(() => dialog.count()).toBe(0)

    // Realtime: the three pageviews of the last minutes.
    await page.getByRole('link', { name: 'Realtime' }).click()
    await expect.poll(() => page.getByTestId('current-visitors').textContent()).toBe('2')
    await expect.poll(() => rows('Top pages')).toEqual(['/ 2', '/about 1'])

    // Retention: today's cohort of anonymous visitors, and the basis said.
    await page.goto(siteUrl + '/retention?period=7d')
    await expect.poll(() => page.getByTestId('retention-basis').textContent()).toContain('anonymous visitors')
    await expect.poll(() => rows('Retention cohorts').then((r) => r.length)).toBeGreaterThan(0)

    // Heatmaps: the clicked page, its element, and the dead click.
    await page.goto(siteUrl + '/heatmaps')
    await expect.poll(() => rows('Most clicked pages')).toEqual(['/ 2'])
    await expect.poll(() => rows('Most clicked elements')).toEqual(['#subscribe “Subscribe” 2 100%'])
    await expect.poll(() => rows('Rage and dead clicks')).toEqual(['#subscribe 0 1 /'])

    // Journeys through /: one visit went on to /about.
    await page.goto(siteUrl + '/journeys')
    await page.fill('input[name=journey-page]', '/')
    await page.click('text=Show')
    await expect.poll(() => rows('After /')).toEqual(['(exit) 1', '/about 1'])
    await expect.poll(() => page.locator('.sankey svg path').count()).toBeGreaterThan(0)
  })
})

describe('exports', () => {
  it('downloads the view as a zip of CSVs with the dashboard numbers, and the raw events', async () => {
    const page = await signIn()
    await page.getByRole('link', { name: 'blog.example' }).click()
    await page.waitForURL(/\/sites\/[\w-]+$/)
    await page.goto(page.url() + '?period=day')
    const folder = mkdtempSync(join(tmpdir(), 'fm-export-'))

    const [zip] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export this view (CSV zip)' }).click()])
    expect(zip.suggestedFilename()).toBe('blog.example-export.zip')
    await zip.saveAs(join(folder, 'view.zip'))
    const read = (file: string): string =>
      execFileSync('python3', ['-c', 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode(), end="")', join(folder, 'view.zip'), file], {
        encoding: 'utf8',
      })
    // The Pages panel's numbers: / by two visitors, /about by one.
    expect(read('pages.csv').trim().split('\n')).toEqual(['page,visitors,pageviews', '/,2,2', '/about,1,1'])
    expect(read('visitors.csv').trim().split('\n')[1]).toMatch(/^\d{4}-\d\d-\d\d,2,2,3,/)
    await page.getByText('The view was exported').waitFor()

    // Raw events: three pageviews and two clicks today, with a header row.
    const [raw] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export raw events' }).click()])
    expect(raw.suggestedFilename()).toBe('blog.example-events.csv')
    await raw.saveAs(join(folder, 'events.csv'))
    const lines = readFileSync(join(folder, 'events.csv'), 'utf8').trim().split('\n')
    expect(lines).toHaveLength(6)
    expect(lines[0]).toContain('"pathname"')
    await page.getByText('5 events exported.').waitFor()
    rmSync(folder, { recursive: true, force: true })
  })
})

describe('reports and alerts', () => {
  it('opts into the weekly report and adds a spike alert in the site settings', async () => {
    const page = await signIn()
    await page.goto(`${server.url}/sites/${siteId}/settings`)
    await page.getByRole('heading', { name: 'Email reports' }).waitFor()
    await page.getByLabel('The weekly report').check()
    await page.getByText('You will get the weekly report.').waitFor()
    await page.fill('input[name=digest-email]', 'board@example.com')
    await page.getByRole('button', { name: 'Add', exact: true }).click()
    await page.getByText('board@example.com').waitFor()

    await page.selectOption('select[name=alert-kind]', 'spike')
    await page.fill('input[name=alert-threshold]', '50')
    await page.fill('input[name=alert-emails]', 'ops@example.com')
    await page.getByRole('button', { name: 'Add alert' }).click()
    await page.getByRole('cell', { name: 'More than 50 current visitors' }).waitFor()
    await page.fill('input[name=alert-threshold]', '5')
    await page.fill('input[name=alert-emails]', '')
    await page.getByRole('button', { name: 'Add alert' }).click()
    await page.getByText('an alert needs an email address or a webhook').waitFor()

    // As the API has them.
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ')
    expect((await json(`/api/sites/${siteId}/reports/mine`, { cookie })).body).toEqual({ weekly: true, monthly: false })
    const alerts = (await json(`/api/sites/${siteId}/alerts`, { cookie })).body
    expect(alerts.map((a: { kind: string; threshold: number; emails: string[] }) => [a.kind, a.threshold, a.emails])).toEqual([['spike', 50, ['ops@example.com']]])
  })
})

describe('imported data', () => {
  it('imports a Plausible CSV in the settings, and the dashboard adds it when asked', async () => {
    const page = await signIn()
    await page.goto(`${server.url}/sites/${siteId}/settings`)
    await page.getByRole('heading', { name: 'Imported data' }).waitFor()
    // Plausible's imported_visitors table, as its CSV export writes it.
    const csv = 'date,visitors,pageviews,bounces,visits,visit_duration\n2025-03-01,120,300,50,150,9000\n2025-03-02,80,200,30,100,6000\n'
    await page.setInputFiles('input[name=import-file]', { name: 'imported_visitors_20250301_20250302.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
    await page.getByRole('button', { name: 'Import', exact: true }).click()
    await page.getByText('Imported 200 visitors and 500 pageviews, 2025-03-01 to 2025-03-02.').waitFor()
    await page.getByRole('cell', { name: '2025-03-01 to 2025-03-02' }).waitFor()

    await page.goto(`${server.url}/sites/${siteId}?period=custom&from=2025-03-01&to=2025-03-02`)
    const value = (metric: string) => page.locator(`[data-metric=${metric}] .value`).textContent()
    await expect.poll(() => value('visitors')).toBe('0')
    await page.getByLabel('Include imported data').check()
    await page.waitForURL(/imports=1/)
    await expect.poll(() => value('visitors')).toBe('200')
    await expect.poll(() => value('pageviews')).toBe('500')
    await expect.poll(() => value('bounce_rate')).toBe('32%') // 80 bounces of 250 visits

    // A person's data: nobody was identified as user-1 here, so there is nothing to erase.
    await page.goto(`${server.url}/sites/${siteId}/settings`)
    await page.fill('input[name=person-id]', 'user-1')
    page.once('dialog', (dialog) => dialog.accept())
    await page.getByRole('button', { name: 'Erase their events' }).click()
    await page.getByText('0 events deleted.').waitFor()
  })
})

describe('two-factor sign-in', () => {
  it('asks for the authenticator code after the password, and signs in with it', async () => {
    const login = await json('/api/auth/login', {
      method: 'POST',
      body: JSON.stringify({ email: 'ada@example.com', password: PASSWORD }),
    })
    const cookie = String(login.cookie).split(';')[0]
    const csrf = login.body.csrf_token
    const setup = await json('/api/auth/2fa/setup', { method: 'POST', cookie, csrf })
    const confirmed = await json('/api/auth/2fa/confirm', {
      method: 'POST',
      cookie,
      csrf,
      body: JSON.stringify({ code: totp(setup.body.secret) }),
    })
    expect(confirmed.status).toBe(200)

    const page = await browser.newPage()
    await page.goto(server.url + '/login')
    await page.fill('input[name=email]', 'ada@example.com')
    await page.fill('input[name=password]', PASSWORD)
    await page.click('button[type=submit]')
    await page.fill('input[name=code]', '000000')
    await page.click('button[type=submit]')
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/code|sign in again/i)
    // A wrong code spends the challenge: start again with the password, then the right code.
    await page.goto(server.url + '/login')
    await page.fill('input[name=email]', 'ada@example.com')
    await page.fill('input[name=password]', PASSWORD)
    await page.click('button[type=submit]')
    await page.fill('input[name=code]', totp(setup.body.secret, Date.now() + 30_000)) // the next step: not yet used
    await page.click('button[type=submit]')
    await expect.poll(() => page.url()).toMatch(/\/sites$/)
    await expect.poll(() => page.getByRole('link', { name: 'blog.example' }).count()).toBe(1)
  })
})
