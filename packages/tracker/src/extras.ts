/** Entry of /js/extras.js, loaded by script.js only when its snippet asks for outbound links
 * (`data-outbound-links`), file downloads (`data-file-downloads`) or a 404 page (`data-404`). It sends
 * through the public `fieldmark(name, {props})` call, so it needs nothing else of the core. */
import { linkEvent } from './core'

type Api = (name: string, options?: { props?: Record<string, unknown> }) => void

const self = document.currentScript as HTMLScriptElement | null
const core = self && document.querySelector<HTMLScriptElement>('script[data-domain],script[data-site]')
const fieldmark = (window as unknown as { fieldmark?: Api }).fieldmark
if (core && fieldmark) {
  const has = (name: string): boolean => core.hasAttribute('data-' + name)
  const downloads = has('file-downloads')
  const outbound = has('outbound-links')
  if (has('404')) fieldmark('404', { props: { path: location.pathname } })
  const click = (event: MouseEvent): void => {
    const link = (event.target as Element).closest && (event.target as Element).closest('a')
    const name = link && linkEvent(link, location.host, downloads, outbound)
    if (name && (event.type === 'click' || event.button === 1)) {
      fieldmark(name, { props: { url: link.origin + link.pathname } })
    }
  }
  document.addEventListener('click', click)
  document.addEventListener('auxclick', click) // a middle click opens the link in a new tab
}
