// The site dashboard in Debian's Chromium over `fieldmark demo` data: how long from navigation until every
// panel shows its figures (stat cards, the chart, four breakdown panels, goals). Each load uses a period
// not asked before, so no answer comes from the API's cache. Prints the figures; asserts nothing.
//
//   node bench/dashboard.mjs [--events 1070000] [--loads 5] [--screenshots docs/images]
//
// With --screenshots, it also saves the demo dashboard at 1440 px (light) and 390 px (dark) there: the
// README's pictures.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'

const args = process.argv.slice(2)
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? Number(args[i + 1]) : fallback
}
const EVENTS = option('events', 1_070_000) // the generator lands a little under what it is asked for
const LOADS = option('loads', 5)
const SHOTS = args.includes('--screenshots') ? args[args.indexOf('--screenshots') + 1] : null
const FIELDMARK = new URL('../apps/backend/.venv/bin/fieldmark', import.meta.url).pathname
const PASSWORD = 'a long enough passphrase'
const PERIODS = ['30d', '7d', '28d', '91d', 'month', '6mo', '12mo', 'year']

const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address()
    probe.close(() => resolve(port))
  })
})
const dataDir = mkdtempSync(join(tmpdir(), 'fm-bench-dashboard-'))
const env = { PATH: process.env.PATH, HOME: process.env.HOME, FIELDMARK_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'WARNING' }
execFileSync(FIELDMARK, ['create-admin', '--email', 'ada@example.com', '--password-stdin'], { env, input: PASSWORD + '\n' })
const started = Date.now()
const made = execFileSync(FIELDMARK, ['demo', '--events', String(EVENTS)], { env, encoding: 'utf8' })
const created = made.match(/([\d,]+) events in all/)?.[1] ?? String(EVENTS)
console.log(`demo data: ${created} events in ${((Date.now() - started) / 1000).toFixed(1)} s`)

const server = spawn(FIELDMARK, ['run'], { env, stdio: 'ignore' })
const url = `http://127.0.0.1:${port}`
for (;;) {
  try {
    if ((await fetch(`${url}/api/health`)).ok) break
  } catch {
    // starting
  }
  await new Promise((r) => setTimeout(r, 200))
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] })
try {
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 1000 } })).newPage()
  await page.goto(`${url}/login`)
  await page.fill('input[name=email]', 'ada@example.com')
  await page.fill('input[name=password]', PASSWORD)
  await page.click('button[type=submit]')
  await page.waitForURL(/\/sites$/)
  await page.getByRole('link', { name: 'demo.fieldmark.test' }).click()
  await page.waitForURL(/\/sites\/[\w-]+$/)
  const dashboard = page.url()

  // Everything on screen: six figures, a drawn chart, and rows in every panel (goals included).
  const ready = () =>
    document.querySelectorAll('[data-metric] .value').length === 6 &&
    [...document.querySelectorAll('[data-metric] .value')].every((v) => v.textContent !== '–') &&
    document.querySelectorAll('.echart svg path').length > 0 &&
    [...document.querySelectorAll('[data-panel] table tbody')].length === 5 &&
    [...document.querySelectorAll('[data-panel] table tbody')].every((tbody) => tbody.querySelector('td:not(.muted)'))

  const times = []
  for (const period of PERIODS.slice(0, LOADS)) {
    await page.goto('about:blank')
    const start = Date.now()
    await page.goto(`${dashboard}?period=${period}`)
    await page.waitForFunction(ready, null, { timeout: 30_000, polling: 10 })
    times.push(Date.now() - start)
    console.log(`  ${period.padEnd(6)} ${times.at(-1)} ms`)
  }
  const sorted = [...times].sort((a, b) => a - b)
  console.log(
    `dashboard, ${created} demo events: every panel shown in ${sorted[Math.floor(sorted.length / 2)]} ms ` +
      `(median of ${times.length} uncached loads; slowest ${sorted.at(-1)} ms)`,
  )
  if (SHOTS) {
    for (const [width, height, scheme] of [
      [1440, 1000, 'light'],
      [390, 844, 'dark'],
    ]) {
      await page.setViewportSize({ width, height })
      await page.emulateMedia({ colorScheme: scheme })
      await page.goto(dashboard)
      await page.waitForFunction(ready, null, { timeout: 30_000 })
      await page.waitForTimeout(500)
      await page.screenshot({ path: join(SHOTS, `dashboard-${width}-${scheme}.png`), fullPage: true })
    }
    console.log(`screenshots in ${SHOTS}`)
  }
} finally {
  await browser.close()
  server.kill('SIGTERM')
  await new Promise((r) => server.once('exit', r))
  rmSync(dataDir, { recursive: true, force: true })
}
