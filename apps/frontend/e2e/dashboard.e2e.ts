/** The dashboard in a real browser against a real `fieldmark run`: what a self-hoster sees first. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { launchChromium, startFieldmark, type Running } from './fieldmark'

let server: Running
let browser: Browser

beforeAll(async () => {
  server = await startFieldmark()
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

describe('the status page', () => {
  it('shows every store reachable, with its version, as /api/health reports them', async () => {
    const page = await browser.newPage()
    await page.goto(server.url + '/')
    await expect.poll(() => page.getByTestId('overall').textContent()).toContain('All stores are reachable.')
    const health = await (await fetch(server.url + '/api/health')).json()
    for (const store of ['clickhouse', 'postgres', 'redis']) {
      const row = page.locator(`tr[data-store="${store}"]`)
      expect(await row.locator('td').nth(1).textContent()).toBe('ok')
      expect(await row.locator('td').nth(2).textContent()).toBe(health.stores[store].version)
    }
    expect(await page.evaluate(() => document.cookie)).toBe('')
  })

  it('answers an unknown route with the not-found page, not a server error', async () => {
    const page = await browser.newPage()
    const response = await page.goto(server.url + '/no/such/page')
    expect(response?.status()).toBe(200) // the SPA's history-mode fallback
    await expect.poll(() => page.locator('main').textContent()).toMatch(/not found/i)
  })
})
