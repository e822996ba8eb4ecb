// The JavaScript a browser must load before the site dashboard can render (the entry, the dashboard
// route's chunk, and everything they import statically), gzipped, against its budget. Run after
// `vite build` by `make test`; a dashboard over the budget fails it.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'

const BUDGET = 250 * 1024
const ROUTE = 'src/modules/dashboard/routes/SiteDashboard.vue'
const manifest = JSON.parse(readFileSync('dist/.vite/manifest.json', 'utf8'))

const files = new Set()
function walk(key) {
  const chunk = manifest[key]
  if (!chunk || files.has(chunk.file)) return
  files.add(chunk.file)
  for (const imported of chunk.imports ?? []) walk(imported)
}
walk('index.html')
walk(ROUTE)
if (!manifest[ROUTE]) throw new Error(`no chunk for ${ROUTE} in the manifest`)

let total = 0
for (const file of files) total += gzipSync(readFileSync(`dist/${file}`), { level: 9 }).length
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`
console.log(`dashboard route, initial JavaScript: ${kb(total)} gzipped in ${files.size} files (budget ${kb(BUDGET)})`)
// The chart (and its library) loads just after, once the figures are on screen.
const initial = new Set(files)
for (const key of manifest[ROUTE].dynamicImports ?? []) walk(key)
let later = 0
for (const file of files) if (!initial.has(file)) later += gzipSync(readFileSync(`dist/${file}`), { level: 9 }).length
console.log(`  and then the chart: ${kb(later)} more, ${kb(total + later)} in all`)
if (total > BUDGET) {
  console.error('the dashboard route is over its JavaScript budget')
  process.exit(1)
}
