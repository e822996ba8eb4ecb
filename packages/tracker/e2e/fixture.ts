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
