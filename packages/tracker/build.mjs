// Builds the tracker into one minified IIFE per entry and prints each file's gzipped size.
import { build } from 'esbuild'
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'

const entries = { script: 'src/script.ts' }

await build({
  entryPoints: entries,
  outdir: 'dist',
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2017'],
  legalComments: 'none',
  logLevel: 'warning',
})

for (const name of Object.keys(entries)) {
  const code = readFileSync(`dist/${name}.js`)
  console.log(`tracker ${name}.js: ${code.length} bytes, ${gzipSync(code, { level: 9 }).length} bytes gzipped`)
}
