/** Entry of /js/script.js: reads the snippet, then sends one pageview unless a reason says not to. */
import { blockedReason, pageview, readSnippet } from './core'

const script = document.currentScript as HTMLScriptElement | null
if (script) {
  const snippet = readSnippet(script.src, (name) => script.getAttribute(name), location.hostname)
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean }
  const reason = blockedReason({
    hostname: location.hostname,
    protocol: location.protocol,
    doNotTrack: nav.doNotTrack,
    globalPrivacyControl: nav.globalPrivacyControl === true,
    webdriver: nav.webdriver,
  })
  if (!reason) {
    const body = JSON.stringify(pageview(snippet, location.href, document.referrer))
    if (!(nav.sendBeacon && nav.sendBeacon(snippet.endpoint, body))) {
      fetch(snippet.endpoint, { method: 'POST', body, keepalive: true, headers: { 'Content-Type': 'text/plain' } })
    }
  }
}
