/** A small site for browser tests of the tracker: multi-page and SPA pages, a file, and a real 404,
 * served over HTTP with the snippet each page should carry. */
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'

const SITE = fileURLToPath(new URL('./site/', import.meta.url))

export interface FixtureSite {
  port: number
  close(): Promise<void>
}

/** `snippet(page)` is the tracker's <script> tag for that page (`404` for the not-found page). */
export async function startFixtureSite(snippet: (page: string) => string, host = '127.0.0.1', port = 0): Promise<FixtureSite> {
  const page = (file: string): string => readFileSync(SITE + file, 'utf8').replace('{{SNIPPET}}', snippet(file))
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://fixture').pathname
    const html = (status: number, body: string): void => {
      response.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' })
      response.end(body)
    }
    if (path == '/' || path == '/index.html') html(200, page('index.html'))
    else if (path == '/about.html') html(200, page('about.html'))
    else if (path == '/heat.html') html(200, page('heat.html'))
    else if (path == '/unframeable.html') {
      // The heatmap page as a site that refuses to be framed serves it.
      response.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'X-Frame-Options': 'DENY',
        'Content-Security-Policy': "frame-ancestors 'none'",
      })
      response.end(page('heat.html'))
    }
    else if (path == '/app' || path.startsWith('/app/')) html(200, page('app.html'))
    else if (path == '/files/report-2026.pdf') {
      response.writeHead(200, { 'Content-Type': 'application/pdf', 'Content-Disposition': 'attachment' })
      response.end('%PDF-1.4\n%%EOF\n')
    } else html(404, page('404.html'))
  })
  await new Promise<void>((resolve) => server.listen(port, host, resolve))
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

const call = (fieldmark: string, path: string, method: string, body: unknown, auth: Record<string, string> = {}): Promise<Response> =>
  fetch(fieldmark + path, { method, headers: { 'Content-Type': 'application/json', ...auth }, body: JSON.stringify(body) })

/** Registers the first account on a fresh Fieldmark: the headers that act as it, and its session
 * cookie for a browser. */
export async function signUp(fieldmark: string): Promise<{ auth: Record<string, string>; cookie: { name: string; value: string } }> {
  const registered = await call(fieldmark, '/api/auth/register', 'POST', { email: 'ada@example.com', password: 'a long enough passphrase' })
  const pair = String(registered.headers.get('set-cookie')).split(';')[0]
  const auth = { Cookie: pair, 'X-CSRF-Token': (await registered.json()).csrf_token }
  const [name, ...value] = pair.split('=')
  return { auth, cookie: { name, value: value.join('=') } }
}

/** Registers the first account on a fresh Fieldmark and creates a site with its tracker options. */
export async function createSite(
  fieldmark: string,
  site: Record<string, unknown>,
  trackerOptions: Record<string, boolean> = {},
): Promise<string> {
  return createSiteAs(fieldmark, (await signUp(fieldmark)).auth, site, trackerOptions)
}

/** Creates a site in the account's first team, with its tracker options. */
export async function createSiteAs(
  fieldmark: string,
  auth: Record<string, string>,
  site: Record<string, unknown>,
  trackerOptions: Record<string, boolean> = {},
): Promise<string> {
  const teams = await (await fetch(fieldmark + '/api/teams', { headers: auth })).json()
  const created = await call(fieldmark, `/api/teams/${teams[0].id}/sites`, 'POST', site, auth)
  if (created.status != 201) throw new Error(`the site was not created: ${await created.text()}`)
  const id = (await created.json()).id
  const patched = await call(fieldmark, `/api/sites/${id}`, 'PATCH', { tracker_options: trackerOptions }, auth)
  if (patched.status != 200) throw new Error(`the site's options were not set: ${await patched.text()}`)
  return id
}
