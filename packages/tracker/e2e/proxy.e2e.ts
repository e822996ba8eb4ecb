/** The first-party proxy recipe of docs/first-party-proxy.md, in a real nginx (Debian's package) on a
 * loopback port: nginx serves the fixture site and forwards `/js/` and `/api/event` to Fieldmark from
 * 127.0.0.2, the only address in TRUSTED_PROXIES. The site excludes 127.0.0.2, so an event lands only if
 * Fieldmark took the visitor's address from nginx's X-Forwarded-For and not nginx's own; a forged header
 * from an untrusted peer is ignored, so that visitor is the same person as the browser's. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { launchChromium, startFieldmark, type Running } from '../../../apps/frontend/e2e/fieldmark'
import { createSite, startFixtureSite, type FixtureSite } from './fixture'

const HOST = 'fixture.test'
const PROXY_ADDRESS = '127.0.0.2'
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36'
const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx'

let server: Running
let site: FixtureSite
let browser: Browser
let nginx: ChildProcess
let nginxDir = ''
let origin = ''

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}

/** The recipe from docs/first-party-proxy.md, with this test's ports and paths around it. */
function nginxConfig(port: number, fieldmark: string, fixture: number): string {
  const recipe = readFileSync(new URL('../../../docs/first-party-proxy.md', import.meta.url), 'utf8')
  const block = recipe.match(/```nginx\n([\s\S]*?)```/)
  if (!block) throw new Error('docs/first-party-proxy.md has no nginx recipe')
  const locations = block[1].split('https://fieldmark.example.com').join(fieldmark)
  return `
daemon off;
pid ${nginxDir}/nginx.pid;
error_log ${nginxDir}/error.log warn;
events {}
http {
  access_log off;
  client_body_temp_path ${nginxDir}/body;
  proxy_temp_path ${nginxDir}/proxy;
  fastcgi_temp_path ${nginxDir}/fastcgi;
  uwsgi_temp_path ${nginxDir}/uwsgi;
  scgi_temp_path ${nginxDir}/scgi;
  server {
    listen 127.0.0.1:${port};
    server_name ${HOST};
    proxy_bind ${PROXY_ADDRESS}; # nginx reaches Fieldmark from the address Fieldmark trusts
${locations}
    location / {
      proxy_pass http://127.0.0.1:${fixture};
    }
  }
}
`
}

beforeAll(async () => {
  server = await startFieldmark({ TRUSTED_PROXIES: PROXY_ADDRESS })
  await createSite(server.url, { domain: HOST, excluded_ips: [PROXY_ADDRESS] }, { heatmaps: true, outbound_links: true })
  // The first_party snippet, as the dashboard gives it (plus data-local: the browser is automated).
  site = await startFixtureSite(() => `<script defer data-domain="${HOST}" data-local src="/stats/js/script.js"></script>`)
  const port = await freePort()
  nginxDir = mkdtempSync(join(tmpdir(), 'fm-nginx-'))
  chmodSync(nginxDir, 0o777) // nginx's workers run as nobody when the tests run as root
  writeFileSync(join(nginxDir, 'nginx.conf'), nginxConfig(port, server.url, site.port))
  execFileSync(NGINX, ['-t', '-p', nginxDir, '-c', join(nginxDir, 'nginx.conf')], { stdio: 'pipe' })
  nginx = spawn(NGINX, ['-p', nginxDir, '-c', join(nginxDir, 'nginx.conf')], { stdio: 'ignore' })
  origin = `http://${HOST}:${port}`
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/stats/js/script.js`)).ok) break
    } catch {
      if (i > 100) throw new Error(`nginx did not start: ${readFileSync(join(nginxDir, 'error.log'), 'utf8')}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  browser = await launchChromium([HOST], USER_AGENT)
})

afterAll(async () => {
  await browser?.close()
  nginx?.kill('SIGQUIT')
  await site?.close()
  await server?.stop()
  if (nginxDir) rmSync(nginxDir, { recursive: true, force: true })
})

it('lands events through nginx under the visitor address it forwards, and ignores forged headers', async () => {
  // The browser even forges the header itself: nginx appends the real peer, and Fieldmark reads from the right.
  const context = await browser.newContext({ extraHTTPHeaders: { 'X-Forwarded-For': PROXY_ADDRESS } })
  const page = await context.newPage()
  const requests: string[] = []
  page.on('request', (request) => requests.push(new URL(request.url()).origin + new URL(request.url()).pathname))
  await page.goto(`${origin}/`)
  await expect.poll(() => requests).toContain(`${origin}/stats/js/heat.js`) // modules come through the proxy too
  await page.click('#buy')
  await page.goto(`${origin}/about.html`)
  await page.goto('about:blank')
  await context.close()
  // Everything went to the site's own origin: the script posts next to where it was loaded from.
  expect(requests.filter((url) => !url.startsWith(origin) && url != 'null')).toEqual([])
  expect(requests).toContain(`${origin}/stats/api/event`)

  // An untrusted peer (this test, straight to Fieldmark) claiming to be the proxy's address.
  const forged = await fetch(`${server.url}/api/event`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain', 'User-Agent': USER_AGENT, 'X-Forwarded-For': PROXY_ADDRESS },
    body: JSON.stringify({ n: 'Forged', u: `http://${HOST}/`, d: HOST }),
  })
  expect(forged.status).toBe(202)

  await server.settle()
  await server.stop({ keep: true })
  const rows = await server.rows('SELECT kind, name, pathname, visitor_id FROM events ORDER BY timestamp')
  expect(rows.filter((r) => r.kind == 'pageview').map((r) => r.pathname)).toEqual(['/', '/about.html'])
  expect(rows.filter((r) => r.kind == 'click')).toHaveLength(1)
  expect(rows.filter((r) => r.name == 'Forged')).toHaveLength(1)
  // One person: the browser through nginx and the direct request both count as 127.0.0.1 with one agent.
  expect(new Set(rows.map((r) => r.visitor_id)).size).toBe(1)
})
