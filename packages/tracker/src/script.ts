/** Entry of /js/script.js: pageviews (SPA routes too), one engagement beacon per pageview (time visible
 * and focused, deepest scroll), custom events with a queue for calls made before it loads, identify,
 * and the privacy switches. Everything else is a module loaded next to it on demand: `extras.js` when
 * the snippet asks for outbound links, downloads or 404s, and whatever the first pageview's answer
 * lists (`heat.js` when the site has heatmaps on). */

interface Options {
  props?: Record<string, unknown>
  revenue?: { amount: number | string; currency: string }
  interactive?: boolean
}
/** `window.fieldmark`: the public call and its queue, and what the modules use: the snippet's `data-`
 * attributes (`a`), an event of the current page (`e`), and the sender (`p`, a JSON body). Tracking
 * is off (privacy signals, local pages) when `a` is missing. */
export type Api = ((name: string, options?: Options | string) => void) & {
  q?: ArrayLike<unknown>[] // the stub's queue: each call's `arguments`
  a?: (name: string) => string | null
  e?: (name: string, extra: object) => object
  p?: (body: string) => unknown
}

const d = document
const script = d.currentScript as HTMLScriptElement | null
if (script) {
  const w = window as unknown as { fieldmark?: Api }
  const l = location
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean }
  const attr = (name: string): string | null => script.getAttribute('data-' + name)
  const folder = script.src.replace(/[^/]*$/, '')
  const endpoint = attr('api') || folder + '../api/event'
  const hash = attr('hash') != null
  const keep = (attr('params') || '').split(',')
  // Modules are ES modules next to this file (served with CORS, so the import works across origins).
  const load = (name: string): unknown => import(folder + name + '.js')
  let person: string | undefined
  let current = ''
  let referrer = d.referrer.replace(/[?#].*/, '') // no query or fragment, like the page's own address
  let since: number | false = 0
  let visible = 0
  let bottom = 0
  let sent = 0

  // The page address as sent: the query keeps only UTM tags and the keys named in `data-params`; the
  // fragment only on hash-routed sites.
  const url = (): string =>
    l.origin +
    l.pathname +
    l.search
      .replace(/[?&]([^=&]*)[^&]*/g, (pair, key) => (/^utm_/.test(key) || keep.includes(key) ? pair : ''))
      .replace(/^&/, '?') +
    (hash ? l.hash : '')
  // An event with the page and the site; unset keys go as null (or not at all), and the endpoint then
  // takes the site from the page's host.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const event = (name: string, extra: any): object =>
    ({ n: name, u: url(), d: attr('domain'), site: attr('site'), h: hash, pid: person, ...extra })
  // The first pageview asks for the site's settings: the answer names the modules to load.
  const post = (body: string, ask?: unknown): unknown =>
    (!ask && nav.sendBeacon(endpoint, body)) ||
    fetch(endpoint, { method: 'POST', body, keepalive: true })
      .then((answer) => answer.json())
      .then(
        (settings) => settings.load.map(load), // a module imported again is not run again
        () => 0,
      )
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const send = (name: string, extra: any, ask?: unknown): unknown => post(JSON.stringify(event(name, extra)), ask)
  // Time visible and focused runs from `since` (false while unfocused); `bottom` is the lowest
  // point of the document seen so far.
  const tick = (): void => {
    const now = Date.now()
    if (since) visible += now - since
    since = d.hasFocus() && now // a hidden page has sent its engagement already
    bottom = Math.max(bottom, scrollY + innerHeight)
  }
  const flush = (): void => {
    tick()
    if (!sent) send('engagement', { u: current, e: visible, sd: ((100 * bottom) / d.documentElement.scrollHeight + 0.5) | 0 /* rounded; over 100 is taken as 100 */ })
    sent = 1
  }
  const page = (ask?: unknown): void => {
    if (url() != current) {
      if (current) {
        flush()
        referrer = current
      }
      current = url()
      visible = bottom = since = sent = 0
      send('pageview', { r: referrer }, ask)
    }
    tick()
  }
  // Every event of interest goes through here: a new route is a pageview, a hidden page sends its
  // engagement, anything else (scroll, focus, blur) updates the counts.
  const seen = (): void => (d.hidden ? flush() : page())
  const api: Api = (name, options) => {
    if (name == 'identify') person = options && '' + options
    else send(name, options) // props, revenue and interactive go as they are
  }
  const queued = w.fieldmark?.q || []
  api.a = attr
  api.e = event
  api.p = post
  w.fieldmark = () => 0 // until tracking is known to be on
  // Global Privacy Control is always honoured, Do Not Track unless the snippet says data-dnt="ignore";
  // local pages (localhost, loopback, and file:, which has no host) and automation are skipped unless
  // it says data-local.
  // The dashboard's "view heatmap on page" puts a heatmap token in the fragment: draw, track nothing.
  if (/#fmh_/.test(l.hash)) load('overlay')
  else if (
    !nav.globalPrivacyControl &&
    (nav.doNotTrack != '1' || attr('dnt') == 'ignore') &&
    (attr('local') != null || !(nav.webdriver || /^(localhost|\[::1\]|127\..*)?$/.test(l.hostname)))
  ) {
    w.fieldmark = api
    queued.map((call) => call[0] == 'identify' && api(...(call as [string]))) // before the pageview
    for (const method of ['pushState', 'replaceState'] as const) {
      const original = history[method]
      history[method] = function (this: History) {
        // eslint-disable-next-line prefer-rest-params
        original.apply(this, arguments as never)
        seen()
      }
    }
    for (const name of ['popstate', 'hashchange', 'scroll', 'focus', 'blur', 'visibilitychange']) addEventListener(name, seen)
    page(1)
    queued.map((call) => api(...(call as [string])))
    if (/ data-[of4]/.test(script.outerHTML)) load('extras')
  }
}
