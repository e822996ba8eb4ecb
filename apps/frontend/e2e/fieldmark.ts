/** Starts a real `fieldmark run` (embedded engines, a fresh data directory, a free port) for browser
 * tests, and Debian's Chromium through playwright-core. Each test file starts what it needs. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export interface Running {
  url: string
  /** Waits until the pipeline has written everything collected so far (the stream is drained). */
  settle(): Promise<void>
  /** Rows of a ClickHouse query, read from the data directory once the server has stopped (chDB lets
   * one process at a time open it): call `stop({ keep: true })` first. */
  rows(sql: string): Promise<Record<string, unknown>[]>
  stop(options?: { keep?: boolean }): Promise<void>
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => done(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

export async function startFieldmark(env: Record<string, string> = {}): Promise<Running> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fm-browser-'))
  const port = await freePort()
  const child: ChildProcess = spawn(join(ROOT, 'apps/backend/.venv/bin/fieldmark'), ['run'], {
    // Not the test runner's environment: Vite sets BASE_URL and friends, which Fieldmark also reads.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      FIELDMARK_DATA_DIR: dataDir,
      PORT: String(port),
      BASE_URL: `http://127.0.0.1:${port}`, // links in emails point here
      LOG_LEVEL: process.env.FIELDMARK_E2E_LOG ? 'DEBUG' : 'WARNING',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk) => (stderr += chunk))
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 90_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`fieldmark run exited: ${stderr}`)
    try {
      if ((await fetch(`${url}/api/health`)).ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`fieldmark run did not start: ${stderr}`)
    await new Promise((r) => setTimeout(r, 200))
  }
  let stopped = false
  return {
    url,
    async settle() {
      const deadline = Date.now() + 30_000
      for (;;) {
        const health = await (await fetch(`${url}/api/health`)).json()
        if (health.ingestion?.backlog === 0 && health.ingestion?.in_flight === 0) return
        if (Date.now() > deadline) throw new Error(`the stream did not drain: ${JSON.stringify(health)}`)
        await new Promise((r) => setTimeout(r, 200))
      }
    },
    async rows(sql: string) {
      if (!stopped) throw new Error('stop the server first: only one process may open chDB')
      const code = [
        'import json, sys, clickhouse_connect',
        `client = clickhouse_connect.get_client(dsn="chdb://${join(dataDir, 'clickhouse')}", database="fieldmark")`,
        'result = client.query(sys.argv[1])',
        'print(json.dumps([dict(zip(result.column_names, row)) for row in result.result_rows], default=str))',
      ].join('\n')
      const output = execFileSync(join(ROOT, 'apps/backend/.venv/bin/python'), ['-c', code, sql], { encoding: 'utf8' })
      return JSON.parse(output)
    },
    async stop(options = {}) {
      if (!stopped) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))])
        stopped = true
        // FIELDMARK_E2E_LOG=path keeps the server's log for a failing test's post-mortem.
        if (process.env.FIELDMARK_E2E_LOG) writeFileSync(process.env.FIELDMARK_E2E_LOG, stderr)
      }
      if (!options.keep) rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Chromium; `hosts` maps test hostnames to 127.0.0.1 (as a hosts file would). `userAgent` replaces the
 * browser's own for every request, even the beacons a page sends as it unloads (which a context's
 * user-agent override does not reach). */
export function launchChromium(hosts: string[] = [], userAgent?: string): Promise<Browser> {
  const rules = hosts.map((host) => `MAP ${host} 127.0.0.1`).join(',')
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      ...(rules ? [`--host-resolver-rules=${rules}`] : []),
      ...(userAgent ? [`--user-agent=${userAgent}`] : []),
    ],
  })
}
