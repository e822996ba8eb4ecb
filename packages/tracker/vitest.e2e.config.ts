import { defineConfig } from 'vitest/config'

// Real-browser tests of the tracker: Debian's Chromium (playwright-core), a fixture site, and a real
// `fieldmark run` (and nginx for the first-party proxy). `make test` runs them.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['e2e/**/*.e2e.ts'],
    testTimeout: 120_000,
    hookTimeout: 150_000,
    fileParallelism: false,
    // expect.poll waits for what the page does, not for how fast a busy machine does it (vitest's default
    // is 1 s, which a loaded 2-core CI machine misses): a poll still fails when the behaviour never comes.
    expect: { poll: { timeout: 15_000 } },
  },
})
