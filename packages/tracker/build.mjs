// Builds the tracker: esbuild bundles each entry, terser minifies it harder than esbuild can (several
// compress passes), and each file's gzipped size is printed against its budget. A build over a budget
// fails, and `make test` builds the tracker, so a change that grows a file past its budget fails CI.
import { build } from 'esbuild'
import { mkdirSync, writeFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { minify } from 'terser'

// The core is a classic script (it reads document.currentScript); the modules it loads on demand are
// ES modules, brought in with import().
const entries = {
  script: { source: 'src/script.ts', format: 'iife', budget: 1024 },
  extras: { source: 'src/extras.ts', format: 'esm', budget: 3072 },
  heat: { source: 'src/heat.ts', format: 'esm', budget: 3072 },
  // Loaded only on a page opened to show its heatmap, never on an ordinary visit.
  overlay: { source: 'src/overlay.ts', format: 'esm', budget: 6144 },
}

mkdirSync('dist', { recursive: true })
let over = false
for (const [name, entry] of Object.entries(entries)) {
  const bundled = await build({
    entryPoints: [entry.source],
    bundle: true,
    write: false,
    format: entry.format,
    target: ['es2020'],
    legalComments: 'none',
    tsconfigRaw: { compilerOptions: { alwaysStrict: false, strict: false } }, // no "use strict" prologue
    logLevel: 'warning',
  })
  const { code } = await minify(bundled.outputFiles[0].text, {
    ecma: 2020,
    module: entry.format === 'esm',
    toplevel: true,
    compress: { passes: 3, unsafe: true, unsafe_arrows: true, pure_getters: true },
  })
  writeFileSync(`dist/${name}.js`, code)
  const gzipped = gzipSync(code, { level: 9 }).length
  console.log(`tracker ${name}.js: ${code.length} bytes, ${gzipped} bytes gzipped (budget ${entry.budget})`)
  if (gzipped > entry.budget) over = true
}
if (over) {
  console.error('tracker: a file is over its size budget')
  process.exit(1)
}
