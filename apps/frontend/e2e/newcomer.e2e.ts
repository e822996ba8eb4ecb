/** A newcomer's path through the dashboard in Chromium, on a real `fieldmark run`: register, add a site,
 * paste the snippet into a fixture page, watch the installation check turn green, read the visit, filter
 * by a page, build a funnel, invite a viewer (the email caught by a local SMTP server) who sees the
 * dashboard but no settings actions, and open a shared link signed out. Screenshots of the main screens
 * at 1440 and 390 px, light and dark, go to test-artifacts/screenshots/. */
import { mkdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { launchChromium, startFieldmark, type Running } from './fieldmark'
import { decodeQuotedPrintable, startSmtp, type Mailbox } from './smtp'
import { totp } from './totp'

const HOST = 'newcomer.test'
const PASSWORD = 'a long enough passphrase'
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36'
const SHOTS = fileURLToPath(new URL('../../../test-artifacts/screenshots/', import.meta.url))

let server: Running
let mail: Mailbox
let browser: Browser
let fixture: Server
let fixtureOrigin = ''
let snippet = ''

beforeAll(async () => {
  mail = await startSmtp()
  server = await startFieldmark({ SMTP_URL: mail.url, MAIL_FROM: 'Fieldmark <fm@example.com>' })
  // The site: two pages carrying whatever snippet the dashboard gave (data-local: the browser is automated).
  fixture = createServer((request, response) => {
    const page = request.url?.startsWith('/about') ? 'About' : 'Home'
    response.writeHead(200, { 'Content-Type': 'text/html' })
    response.end(`<!doctype html><title>${page}</title>${snippet.replace('<script ', '<script data-local ')}<h1>${page}</h1><a href="/about">About</a>`)
  })
  await new Promise<void>((resolve) => fixture.listen(0, '127.0.0.1', resolve))
  fixtureOrigin = `http://${HOST}:${(fixture.address() as { port: number }).port}`
  browser = await launchChromium([HOST], USER_AGENT)
  mkdirSync(SHOTS, { recursive: true })
})

afterAll(async () => {
  await browser?.close()
  await new Promise((resolve) => fixture?.close(resolve))
  await server?.stop()
  await mail?.close()
})

const text = (page: Page, selector: string) => page.locator(selector).first().textContent()
const rows = (page: Page, table: string) =>
  page
    .locator(`table[aria-label="${table}"] tbody tr`)
    .evaluateAll((trs) => trs.map((tr) => Array.from((tr as HTMLTableRowElement).cells, (td) => td.textContent?.trim()).join(' ')))

async function screenshots(page: Page, name: string): Promise<void> {
  for (const [width, height] of [
    [1440, 1000],
    [390, 844],
  ] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width, height })
      await page.emulateMedia({ colorScheme: scheme })
      await page.reload()
      await page.locator('[data-metric=visitors] .value').first().waitFor()
      await page.waitForTimeout(600) // the chart draws after the figures
      await page.screenshot({ path: `${SHOTS}${name}-${width}-${scheme}.png`, fullPage: true })
    }
  }
  await page.setViewportSize({ width: 1440, height: 1000 })
  await page.emulateMedia({ colorScheme: 'light' })
}

describe('a newcomer', () => {
  it('registers, installs the snippet, reads the visit, builds a funnel, invites a viewer and shares a link', async () => {
    const owner = await (await browser.newContext({ viewport: { width: 1440, height: 1000 } })).newPage()

    // Register: the first account of the instance.
    await owner.goto(server.url + '/login')
    await owner.getByRole('link', { name: 'Create an account' }).click()
    await owner.getByRole('heading', { name: 'Create your account' }).waitFor() // not the sign-in form's fields
    await owner.fill('input[name=email]', 'ada@example.com')
    await owner.fill('input[name=name]', 'Ada')
    await owner.fill('input[name=password]', PASSWORD)
    await owner.click('button[type=submit]')
    await expect.poll(() => owner.url()).toMatch(/\/sites$/)

    // Add the site: the snippet at once, and the installation check waiting.
    await owner.fill('input[name=domain]', HOST)
    await owner.click('text=Add site')
    await expect.poll(() => text(owner, '[data-testid=snippet-direct]')).toContain(`data-domain="${HOST}"`)
    snippet = (await text(owner, '[data-testid=snippet-direct]'))!
    expect(snippet).toContain(`src="${server.url}/js/script.js"`)
    const check = owner.getByTestId('installation-check')
    expect(await check.getAttribute('data-state')).toBe('waiting')

    // A visitor reads two pages of the site; the check turns green.
    const visitor = await (await browser.newContext()).newPage()
    await visitor.goto(fixtureOrigin + '/')
    await visitor.click('text=About')
    await visitor.waitForURL(/about/)
    await visitor.goto('about:blank')
    await expect.poll(() => check.getAttribute('data-state'), { timeout: 20_000 }).toBe('receiving')

    // The dashboard shows the visit.
    await check.getByRole('link', { name: 'Open the dashboard' }).click()
    await owner.waitForURL(/\/sites\/[\w-]+$/)
    const siteId = owner.url().split('/sites/')[1]!
    await expect.poll(() => text(owner, '[data-metric=pageviews] .value')).toBe('2')
    expect(await text(owner, '[data-metric=visitors] .value')).toBe('1')
    await expect.poll(() => rows(owner, 'Pages')).toEqual(['/ 1', '/about 1'])
    await screenshots(owner, 'dashboard')

    // A page row filters the dashboard.
    await owner.locator('table[aria-label="Pages"]').getByRole('button', { name: '/about' }).click()
    await expect.poll(() => decodeURIComponent(owner.url())).toContain('f=is|event:page|/about')
    await expect.poll(() => text(owner, '[data-metric=pageviews] .value')).toBe('1')
    await expect.poll(() => owner.getByRole('button', { name: 'Remove filter: Page is /about' }).count()).toBe(1)
    await owner.getByRole('button', { name: 'Remove filter: Page is /about' }).click()
    await expect.poll(() => text(owner, '[data-metric=pageviews] .value')).toBe('2')

    // A funnel: home, then about.
    await owner.getByRole('link', { name: 'Funnels' }).click()
    await owner.fill('input[name=funnel-name]', 'Reads about us')
    await owner.fill('input[name=step-0-value]', '/')
    await owner.fill('input[name=step-1-value]', '/about')
    await owner.click('text=Save funnel')
    await expect.poll(() => rows(owner, 'Funnel steps')).toEqual([
      'Visit / 1 100% 100% 0 –',
      expect.stringMatching(/^Visit \/about 1 100% 100% 0 \d+s$/),
    ])

    // Invite a viewer; the email carries the link.
    await owner.goto(server.url + '/sites')
    await owner.getByRole('link', { name: 'Members and invitations' }).first().click()
    await owner.fill('input[name=invite-email]', 'vic@example.com')
    await owner.selectOption('select[name=invite-role]', 'viewer')
    await owner.click('text=Send invitation')
    await expect.poll(() => owner.getByRole('status').textContent()).toContain('Invitation sent to vic@example.com')
    await expect.poll(() => mail.messages.length).toBe(1)
    expect(mail.messages[0]!.to).toEqual(['vic@example.com'])
    const link = decodeQuotedPrintable(mail.messages[0]!.data).match(/http:\/\/127\.0\.0\.1:\d+\/invitations\/[\w-]+/)![0]

    // An API key for scripts, made on the same page, reads the Stats API.
    await owner.fill('input[name=key-name]', 'Reporting script')
    await owner.click('text=Create key')
    const key = (await owner.getByTestId('new-api-key').textContent())!.trim()
    const stats = await fetch(`${server.url}/api/sites/${siteId}/query`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ metrics: ['visitors', 'pageviews'], date_range: '7d' }),
    })
    expect((await stats.json()).results[0].metrics).toEqual([1, 2])
    await expect.poll(() => owner.locator('text=Reporting script').count()).toBe(1)

    const viewer = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage()
    await viewer.goto(link)
    await expect.poll(() => viewer.locator('main').textContent()).toContain('as viewer, as vic@example.com')
    await viewer.fill('input[name=name]', 'Vic')
    await viewer.fill('input[name=password]', 'another long passphrase')
    await viewer.click('text=Create my account and join')
    await expect.poll(() => viewer.url()).toMatch(/\/sites$/)
    await viewer.getByRole('link', { name: HOST }).click()
    await expect.poll(() => text(viewer, '[data-metric=visitors] .value')).toBe('1')
    expect(await viewer.getByRole('link', { name: 'Settings' }).count()).toBe(0) // no settings for a viewer
    await viewer.goto(viewer.url() + '/settings')
    await expect.poll(() => viewer.getByRole('note').textContent()).toContain('You are a viewer')
    expect(await viewer.getByRole('button', { name: 'Save' }).count()).toBe(0)
    expect(await viewer.getByRole('button', { name: 'Add goal' }).count()).toBe(0)
    expect(await viewer.getByRole('button', { name: 'Create link' }).count()).toBe(0)
    expect(await viewer.getByRole('link', { name: 'Instance' }).count()).toBe(0)
    await viewer.goto(server.url + '/admin')
    await expect.poll(() => viewer.getByRole('alert').textContent()).toContain('only an instance administrator')

    // A shared link, opened by someone signed out.
    await owner.goto(server.url + '/sites')
    await owner.getByRole('link', { name: HOST }).click()
    await owner.getByRole('link', { name: 'Settings' }).click()
    await owner.fill('input[name=link-name]', 'For the board')
    await owner.click('text=Create link')
    const shared = await owner.getByTestId('shared-link').getAttribute('href')
    expect(shared).toMatch(/\/share\/fms_/)
    const outsider = await (await browser.newContext()).newPage()
    await outsider.goto(shared!)
    await expect.poll(() => text(outsider, '[data-metric=visitors] .value')).toBe('1')
    expect(await outsider.locator('h1').textContent()).toBe(HOST)
    expect(await outsider.getByRole('button', { name: 'Sign out' }).count()).toBe(0)
    // The first account is the instance's administrator: it sees both accounts.
    await owner.getByRole('link', { name: 'Instance' }).click()
    await expect.poll(() => owner.getByTestId('instance-accounts').textContent()).toBe('2')
    expect(await rows(owner, 'Accounts')).toEqual([
      expect.stringMatching(/^ada@example\.com Ada .* 1 Off Yes$/),
      expect.stringMatching(/^vic@example\.com Vic .* 1 Off $/), // not an administrator
    ])
    await outsider.goto(shared + '?embed=1')
    await expect.poll(() => rows(outsider, 'Pages')).toEqual(['/ 1', '/about 1'])
  })

  it('turns on two-factor sign-in from the account page, and resets a forgotten password by email', async () => {
    const page = await (await browser.newContext()).newPage()
    await page.goto(server.url + '/login')
    await page.fill('input[name=email]', 'ada@example.com')
    await page.fill('input[name=password]', PASSWORD)
    await page.click('button[type=submit]')
    await expect.poll(() => page.url()).toMatch(/\/sites$/)
    await page.getByRole('link', { name: 'ada@example.com' }).click()
    await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click()
    await expect.poll(() => page.getByRole('img', { name: 'QR code of the two-factor key' }).getAttribute('src')).toMatch(/^data:image\/png/)
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim()
    await page.fill('input[name=code]', '000000')
    await page.click('text=Turn on')
    await expect.poll(() => page.getByRole('alert').textContent()).toBeTruthy()
    await page.fill('input[name=code]', totp(secret))
    await page.click('text=Turn on')
    await expect.poll(() => page.getByRole('list', { name: 'Recovery codes' }).locator('li').count()).toBe(10)

    // Forgotten password: the link comes by email, works once, and the new password signs in (with 2FA).
    const before = mail.messages.length
    const stranger = await (await browser.newContext()).newPage()
    await stranger.goto(server.url + '/login')
    await stranger.getByRole('link', { name: 'Forgot your password?' }).click()
    // The sign-in page has an email field too: fill the one of the reset page, once it is there.
    await stranger.getByRole('heading', { name: 'Reset your password' }).waitFor()
    await stranger.fill('input[name=email]', 'ada@example.com')
    const [requested] = await Promise.all([
      stranger.waitForResponse((r) => r.url().endsWith('/api/auth/password-reset')),
      stranger.click('text=Send me a link'),
    ])
    expect(requested.status()).toBe(202)
    await expect.poll(() => stranger.getByRole('status').textContent()).toContain('If an account has that email')
    await expect.poll(() => mail.messages.length).toBe(before + 1)
    const link = decodeQuotedPrintable(mail.messages[before]!.data).match(/http:\/\/127\.0\.0\.1:\d+\/reset-password\/[\w-]+/)![0]
    await stranger.goto(link)
    await stranger.fill('input[name=password]', 'a brand new passphrase')
    await stranger.click('text=Set password')
    await expect.poll(() => stranger.getByRole('status').textContent()).toContain('Done')
    await stranger.goto(link)
    await stranger.fill('input[name=password]', 'yet another passphrase')
    await stranger.click('text=Set password')
    await expect.poll(() => stranger.getByRole('alert').textContent()).toContain('used or has expired')
    await stranger.goto(server.url + '/login')
    await stranger.fill('input[name=email]', 'ada@example.com')
    await stranger.fill('input[name=password]', 'a brand new passphrase')
    await stranger.click('button[type=submit]')
    await stranger.fill('input[name=code]', totp(secret, Date.now() + 30_000)) // a code is good once: the next one
    await stranger.click('button[type=submit]')
    await expect.poll(() => stranger.url()).toMatch(/\/sites$/)
  })
})
