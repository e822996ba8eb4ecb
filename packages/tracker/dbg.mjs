import { chromium } from 'playwright-core'
import http from 'node:http'
import fs from 'node:fs'
const hits = []
const api = http.createServer((req, res) => {
  res.setHeader('access-control-allow-origin', '*')
  if (req.url.startsWith('/api/event')) { let b=''; req.on('data', c => b += c); req.on('end', () => { hits.push(req.method + ' ' + req.headers['content-type'] + ' ' + b.slice(0, 80)); res.setHeader('content-type','application/json'); res.end('{"accepted":1,"load":["heat"]}') }); return }
  if (req.url.startsWith('/js/')) { res.setHeader('content-type', 'text/javascript'); res.end(fs.readFileSync('dist' + req.url.slice(3))); return }
}).listen(8797)
const site = http.createServer((req, res) => {
  res.setHeader('content-type', 'text/html')
  res.end(`<script defer data-domain="x.test" data-local data-outbound-links src="http://127.0.0.1:8797/js/script.js"></script><a id=a href="/next">next</a><button id=b>b</button>`)
}).listen(8798)
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--host-resolver-rules=MAP fixture.test 127.0.0.1'] })
const p = await b.newPage()
p.on('console', m => console.log('console', m.text()))
p.on('pageerror', e => console.log('pageerror', e.message))
await p.goto('http://fixture.test:8798/')
await new Promise(r => setTimeout(r, 700))
await p.click('#b')
await p.click('#a'); await p.waitForURL(/next/)
await new Promise(r => setTimeout(r, 700))
console.log(hits)
await b.close(); site.close(); api.close()
