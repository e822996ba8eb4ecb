/** Entry of /js/script.js: pageviews (SPA routes too), one engagement beacon per pageview (time visible
 * and focused, deepest scroll), custom events with a queue for calls made before it loads, identify,
 * and privacy switches. Outbound links, downloads and 404s load `extras.js` next to it, on demand. */
import { blocked, pageUrl, scrollDepth } from './core'

interface Options {
  props?: Record<string, unknown>
  revenue?: { amount: number | string; currency: string }
  interactive?: boolean
}
type Api = ((name: string, options?: Options | string) => void) & { q?: ArrayLike<unknown>[] }

const script = document.currentScript as HTMLScriptElement | null
if (script) {
  const w = window as unknown as { fieldmark?: Api }
  const d = document
  const l = location
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean }
  const attr = (name: string): string | null => script.getAttribute('data-' + name)
  const endpoint = attr('api') || new URL('/api/event', script.src).href
  const site = attr('site')
  const domain = attr('domain') || l.hostname
  const hash = attr('hash') !== null
  const keep = (attr('params') || '').split(',')
  const off = blocked(l, nav, attr('dnt') !== 'ignore', attr('local') !== null)
  let person: string | undefined
  let current = ''
  let referrer = d.referrer
  let since = 0
  let visible = 0
  let depth = 0
  let sent = false

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const send = (name: string, url: string, extra: any): void => {
    if (off) return
    extra.n = name
    extra.u = url
    if (site) extra.site = site
    else extra.d = domain
    if (hash) extra.h = 1
    if (person) extra.pid = person
    const body = JSON.stringify(extra)
    if (!nav.sendBeacon(endpoint, body)) fetch(endpoint, { method: 'POST', body, keepalive: true })
  }
  const url = (): string => pageUrl(l.origin, l.pathname, l.search, hash ? l.hash : '', keep)
  const measure = (): void => {
    const now = Date.now()
    if (since) visible += now - since
    since = !d.hidden && d.hasFocus() ? now : 0
  }
  const scroll = (): void => {
    depth = Math.max(depth, scrollDepth(scrollY, innerHeight, d.documentElement.scrollHeight))
  }
  const flush = (): void => {
    measure()
    if (current && !sent) send('engagement', current, { e: visible, sd: depth })
    sent = true
  }
  const page = (): void => {
    const next = url()
    if (next === current) return
    if (current) {
      flush()
      referrer = current
    }
    current = next
    visible = depth = since = 0
    sent = false
    measure()
    scroll()
    send('pageview', current, { r: referrer })
  }
  const api: Api = (name, options) => {
    if (name === 'identify') person = options ? String(options) : undefined
    else {
      const o = (options || {}) as Options
      send(name, url(), { p: o.props, $: o.revenue, i: o.interactive })
    }
  }
  const queued = (w.fieldmark && w.fieldmark.q) || []
  w.fieldmark = api
  const replay = (identify: boolean): void => {
    for (const call of queued) if ((call[0] === 'identify') === identify) api.apply(null, call as never)
  }
  replay(true)
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method]
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      original.apply(this, args)
      page()
    }
  }
  const on = addEventListener
  on('popstate', page)
  if (hash) on('hashchange', page)
  on('scroll', scroll, { passive: true })
  on('focus', measure)
  on('blur', measure)
  on('pagehide', flush)
  d.addEventListener('visibilitychange', () => (d.hidden ? flush() : measure()))
  page()
  replay(false)
  if (/data-(o|f|4)/.test(script.outerHTML)) d.head.appendChild(d.createElement('script')).src = script.src.replace(/[^/]*$/, 'extras.js')
}
