import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import { fileURLToPath, URL } from 'node:url'

// In development the Vite server proxies the API to a running `fieldmark run`.
export default defineConfig({
  plugins: [vue()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: {
    proxy: { '/api': 'http://localhost:8000', '/js': 'http://localhost:8000' },
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, manifest: true },
  test: { environment: 'happy-dom', include: ['src/**/*.test.ts'] },
})
