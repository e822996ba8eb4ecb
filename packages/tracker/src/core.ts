/** The tracker's pure logic, kept apart from the DOM wiring so it can be unit-tested. Terse on purpose:
 * property names survive minification, and the core script's budget is 1,024 bytes gzipped. */

/** Whether to send nothing. Global Privacy Control is always honoured, Do Not Track unless the snippet
 * says `data-dnt="ignore"`; local pages and automation are skipped unless it says `data-local`. */
export function blocked(
  l: { hostname: string; protocol: string },
  n: { doNotTrack: string | null; globalPrivacyControl?: boolean; webdriver: boolean },
  respectDnt: boolean,
  local: boolean,
): boolean {
  return (
    !!n.globalPrivacyControl ||
    (respectDnt && n.doNotTrack === '1') ||
    (!local && (/^localhost$|^127\.|^\[::1\]$/.test(l.hostname) || l.protocol === 'file:' || n.webdriver))
  )
}

/** The page address as sent: the query keeps only UTM tags and the snippet's `data-params`; the
 * fragment is kept by the caller only for hash-routed sites. */
export function pageUrl(origin: string, path: string, search: string, hash: string, keep: string[]): string {
  const query = search.replace(/[?&]([^=&]*)[^&]*/g, (pair, key) => (/^utm_/.test(key) || keep.indexOf(key) >= 0 ? pair : ''))
  return origin + path + (query && '?' + query.slice(1)) + hash
}

/** The deepest point seen, as a percentage of the document's height. */
export function scrollDepth(scrollY: number, viewport: number, documentHeight: number): number {
  return documentHeight > viewport ? Math.min(100, Math.round(((scrollY + viewport) / documentHeight) * 100)) : 100
}

/** The event a click on a link makes (extras module): a file download, an outbound link, or none. */
export function linkEvent(
  link: { protocol: string; host: string; pathname: string },
  host: string,
  downloads: boolean,
  outbound: boolean,
): string | null {
  if (!/^http/.test(link.protocol)) return null
  if (downloads && /\.(pdf|xlsx?|docx?|pptx?|csv|txt|zip|gz|dmg|exe|msi|deb|apk|mp[34]|mov|epub|iso)$/i.test(link.pathname))
    return 'File Download'
  return outbound && link.host !== host ? 'Outbound Link: Click' : null
}
