// Builds the tracker into one minified IIFE per entry and prints each file's gzipped size.
import { build } from 'esbuild'
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'

const entries = { script: 'src/script.ts', extras: 'src/extras.ts' }
// Gzipped budgets: a build over one fails (make setup and make test build the tracker).
const budgets = { script: 1024, extras: 3072 }

await build({
  entryPoints: entries,
  outdir: 'dist',
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2017'],
  legalComments: 'none',
  tsconfigRaw: { compilerOptions: { alwaysStrict: false, strict: false } }, // no "use strict" prologue
  logLevel: 'warning',
})

let over = false
for (const name of Object.keys(entries)) {
  const code = readFileSync(`dist/${name}.js`)
  const gzipped = gzipSync(code, { level: 9 }).length
  console.log(`tracker ${name}.js: ${code.length} bytes, ${gzipped} bytes gzipped (budget ${budgets[name]})`)
  if (gzipped > budgets[name]) over = true
}
if (over) {
  console.error('tracker: over its size budget')
  process.exit(1)
}
