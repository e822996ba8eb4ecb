/** Starts a real `fieldmark run` (embedded engines, a fresh data directory, a free port) for browser
 * tests, and Debian's Chromium through playwright-core. Each test file starts what it needs. */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser } from 'playwright-core'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export interface Running {
  url: string
  stop(): Promise<void>
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
      LOG_LEVEL: 'WARNING',
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
  return {
    url,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))])
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
}
