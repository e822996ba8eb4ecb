/** The tracker's pure logic, kept apart from the DOM wiring so it can be unit-tested. */

export interface Snippet {
  /** `data-domain`, or the page's hostname. */
  domain: string
  /** Where events go: `data-api`, or `/api/event` on the origin the script was loaded from. */
  endpoint: string
}

export interface Environment {
  hostname: string
  protocol: string
  doNotTrack: string | null
  globalPrivacyControl: boolean
  webdriver: boolean
}

/** The short keys the Plausible script sends, which the collect endpoint also accepts. */
export interface PageviewPayload {
  n: string
  u: string
  d: string
  r: string | null
}

export function readSnippet(scriptSrc: string, attr: (name: string) => string | null, hostname: string): Snippet {
  return {
    domain: attr('data-domain') || hostname,
    endpoint: attr('data-api') || new URL('/api/event', scriptSrc).href,
  }
}

/** Why not to send, or null to send: DNT and GPC are honoured; local pages and automation are skipped. */
export function blockedReason(env: Environment): string | null {
  if (env.doNotTrack === '1' || env.globalPrivacyControl) return 'privacy signal'
  if (/^localhost$|^127(\.\d+){3}$|^\[::1\]$/.test(env.hostname) || env.protocol === 'file:') return 'local page'
  if (env.webdriver) return 'automation'
  return null
}

export function pageview(snippet: Snippet, href: string, referrer: string): PageviewPayload {
  return { n: 'pageview', u: href, d: snippet.domain, r: referrer || null }
}
