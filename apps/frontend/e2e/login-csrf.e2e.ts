/** Login CSRF in Chromium: a page on another origin cannot sign its visitor into an account of the
 * attacker's choosing, neither by a form posting text/plain that reads as JSON nor by a no-cors fetch;
 * Fieldmark's own page signs in as before. */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { launchChromium, startFieldmark, type Running } from './fieldmark'

const UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0'
// A text/plain form sends `name=value`: the attacker's password holds the '=' the form puts in.
const EMAIL = 'attacker@example.com'
const PASSWORD = 'attacker pass=word'
const [NAME, VALUE] = [`{"email":"${EMAIL}","password":"attacker pass`, 'word"}']
let server: Running
let evil: Server
let evilUrl = ''
let browser: Browser

function evilPage(target: string): string {
  const field = (s: string) => s.replace(/"/g, '&quot;')
  return `<!doctype html><title>Win a prize</title>
<form id="login" method="POST" enctype="text/plain" action="${target}/api/auth/login">
  <input type="hidden" name="${field(NAME)}" value="${field(VALUE)}">
</form>
<form id="register" method="POST" enctype="text/plain" action="${target}/api/auth/register">
  <input type="hidden" name="${field(`{"email":"other@example.com","password":"attacker pass`)}" value="${field(VALUE)}">
</form>`
}

beforeAll(async () => {
  server = await startFieldmark({ REGISTRATION: 'open' })
  const registered = await fetch(server.url + '/api/auth/register', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  })
  expect(registered.status).toBe(201)
  evil = createServer((_, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html' })
    response.end(evilPage(server.url))
  })
  await new Promise<void>((done) => evil.listen(0, '127.0.0.1', done))
  evilUrl = `http://evil.test:${(evil.address() as AddressInfo).port}/`
  browser = await launchChromium(['evil.test'], UA)
})

afterAll(async () => {
  await browser?.close()
  await new Promise((done) => evil?.close(done))
  await server?.stop()
})

async function signedIn(page: Page): Promise<number> {
  await page.goto(server.url + '/api/version')
  return page.evaluate(async () => (await fetch('/api/auth/me')).status)
}

describe('sign-in from another site', () => {
  for (const form of ['login', 'register']) {
    it(`refuses a cross-site ${form} form posting text/plain`, async () => {
      const context = await browser.newContext()
      const page = await context.newPage()
      await page.goto(evilUrl)
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith(`/api/auth/${form}`)),
        page.evaluate((id) => (document.getElementById(id) as HTMLFormElement).submit(), form),
      ])
      await page.waitForURL(`**/api/auth/${form}`)
      await page.waitForLoadState()
      expect(answer.status()).toBe(415)
      expect(await answer.headerValue('set-cookie')).toBeNull()
      expect(await signedIn(page)).toBe(401)
      await context.close()
    })
  }

  it('refuses a no-cors fetch, and a JSON fetch gets no CORS grant', async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(evilUrl)
    const body = JSON.stringify({ email: EMAIL, password: PASSWORD })
    const statuses: number[] = []
    page.on('response', (r) => {
      if (r.url().endsWith('/api/auth/login')) statuses.push(r.status())
    })
    const blocked = await page.evaluate(
      async ({ target, body }) => {
        await fetch(`${target}/api/auth/login`, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'text/plain' }, body })
        try {
          await fetch(`${target}/api/auth/login`, { method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/json' }, body })
          return false
        } catch {
          return true // the preflight found no grant: the request was never sent
        }
      },
      { target: server.url, body },
    )
    expect(blocked).toBe(true)
    expect(statuses).toEqual([415])
    expect(await signedIn(page)).toBe(401)
    await context.close()
  })

  it("still signs in from Fieldmark's own page", async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    await page.goto(server.url + '/api/version')
    const status = await page.evaluate(
      async (body) => (await fetch('/api/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })).status,
      JSON.stringify({ email: EMAIL, password: PASSWORD }),
    )
    expect(status).toBe(200)
    expect(await signedIn(page)).toBe(200)
    await context.close()
  })
})
