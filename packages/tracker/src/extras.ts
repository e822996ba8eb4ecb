/** Entry of /js/extras.js, which the core loads only when its snippet asks for outbound links
 * (`data-outbound-links`), file downloads (`data-file-downloads`) or 404 pages (`data-404`). It sends
 * through the public `fieldmark(name, {props})` call, and does nothing while tracking is off. */
import type { Api } from './script'

const DOWNLOAD = /\.(pdf|xlsx?|docx?|pptx?|odt|ods|csv|txt|rtf|zip|rar|7z|gz|tgz|dmg|pkg|exe|msi|deb|rpm|apk|mp3|mp4|mov|avi|wav|epub|iso)$/i

/** The event a click on a link makes: a file download, an outbound link, or none. */
function linkEvent(link: HTMLAnchorElement, downloads: boolean, outbound: boolean): string | null {
  if (!/^https?:$/.test(link.protocol)) return null
  if (downloads && DOWNLOAD.test(link.pathname)) return 'File Download'
  return outbound && link.host !== location.host ? 'Outbound Link: Click' : null
}

const fieldmark = (window as unknown as { fieldmark?: Api }).fieldmark
const attr = fieldmark && fieldmark.a
if (fieldmark && attr) {
  const downloads = attr('file-downloads') != null
  const outbound = attr('outbound-links') != null
  if (attr('404') != null) fieldmark('404', { props: { path: location.pathname } })
  const click = (event: MouseEvent): void => {
    const link = event.target instanceof Element ? event.target.closest('a') : null
    const name = link && linkEvent(link, downloads, outbound)
    // A click, or a middle click (auxclick, button 1), which opens the link in a new tab.
    if (name && (event.type == 'click' || event.button == 1)) {
      fieldmark(name, { props: { url: link.origin + link.pathname } })
    }
  }
  document.addEventListener('click', click, true)
  document.addEventListener('auxclick', click, true)
}
