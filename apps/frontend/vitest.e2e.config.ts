import { defineConfig } from 'vitest/config'

// Real-browser tests: Debian's Chromium (playwright-core) against `fieldmark run`. `make test` runs them.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['e2e/**/*.e2e.ts'],
    testTimeout: 120_000,
    hookTimeout: 150_000,
    fileParallelism: false,
  },
})
