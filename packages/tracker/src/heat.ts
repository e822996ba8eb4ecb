/** Entry of /js/heat.js, the behavioural module: loaded only when the collect endpoint's answer says the
 * site has heatmaps on. It records clicks (document position, viewport and document size, a stable CSS
 * selector, tag), flags rage clicks and dead clicks, and sends them in batches every few seconds and
 * when the page is hidden. It reads no element text but the label of a link or button, scrubbed of
 * emails and digits, and never anything typed into a field. */
import type { Api } from './script'

const RAGE_CLICKS = 3 // this many clicks
const RAGE_MS = 1000 // within this time
const RAGE_PX = 30 // and this distance of each other
const DEAD_MS = 1000 // a click with no navigation, DOM change or focus change within this time is dead
const SEND_MS = 5000
const BATCH = 50 // the collect endpoint's largest batch

/** An id or class name that a framework or build made up, which changes from build to build or page to
 * page: React's `:r1:`, numbered ids, CSS modules' `name__3xK9a`, emotion's `css-1x2y3z`, styled-
 * components' `sc-…`. */
export function generated(name: string): boolean {
  return (
    /[:[\]]|\d{3,}|^(css|sc|jsx|svelte|emotion|styled)-/.test(name) ||
    /[_-](?=[a-z]*\d)(?=\d*[a-z])[a-z\d]{5,}$/i.test(name)
  )
}

/** A selector for the element that holds up across visits: the nearest stable id, then tag names with up
 * to two stable classes, and `:nth-of-type` where siblings share the tag. */
export function selectorOf(element: Element): string {
  const parts: string[] = []
  for (let el: Element | null = element; el && el.localName != 'body' && el.localName != 'html'; el = el.parentElement) {
    if (el.id && !generated(el.id)) {
      parts.unshift('#' + CSS.escape(el.id))
      break
    }
    let part = el.localName
    for (const name of Array.from(el.classList).filter((c) => !generated(c)).slice(0, 2)) part += '.' + CSS.escape(name)
    const siblings = el.parentElement ? Array.from(el.parentElement.children).filter((c) => c.localName == el!.localName) : []
    if (siblings.length > 1) part += `:nth-of-type(${siblings.indexOf(el) + 1})`
    parts.unshift(part)
  }
  return parts.join(' > ')
}

/** A link's or button's label without emails or digits (order numbers, prices, phone numbers). */
export function scrubLabel(text: string): string {
  return text
    .replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, '')
    .replace(/\d/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 100)
}

const INTERACTIVE = 'a,button,input,select,textarea,label,summary,[role=button],[role=link],[onclick]'

const fieldmark = (window as unknown as { fieldmark?: Api }).fieldmark
if (fieldmark && fieldmark.e && fieldmark.p) {
  const event = fieldmark.e
  const post = fieldmark.p
  const d = document
  let batch: object[] = []
  let recent: { x: number; y: number; t: number }[] = []
  const waiting = new Set<(left: boolean) => void>() // clicks whose dead-click second is not over
  let changes = 0 // DOM changes seen while a click was waiting
  const observer = new MutationObserver(() => changes++)

  const flush = (): void => {
    while (batch.length) post(JSON.stringify(batch.splice(0, BATCH)))
  }
  setInterval(flush, SEND_MS)
  d.addEventListener('visibilitychange', () => d.hidden && flush())
  // Leaving the page is a navigation: the clicks still waiting were not dead.
  addEventListener('pagehide', () => {
    waiting.forEach((settle) => settle(true))
    flush()
  })

  d.addEventListener(
    'click',
    (e: MouseEvent) => {
      if (!(e.target instanceof Element)) return
      const target = e.target.closest(INTERACTIVE) || e.target
      const now = performance.now()
      recent = recent.filter((c) => now - c.t < RAGE_MS)
      const near = recent.filter((c) => Math.hypot(c.x - e.clientX, c.y - e.clientY) <= RAGE_PX).length
      recent.push({ x: e.clientX, y: e.clientY, t: now })
      const labelled = target.closest('a,button')
      const click = event('click', {
        k: 'click',
        x: Math.round(e.pageX),
        y: Math.round(e.pageY),
        vw: innerWidth,
        vh: innerHeight,
        dw: d.documentElement.scrollWidth,
        dh: d.documentElement.scrollHeight,
        s: selectorOf(target),
        t: target.localName,
        rg: near + 1 >= RAGE_CLICKS,
        lb: labelled ? scrubLabel(labelled.getAttribute('aria-label') || labelled.textContent || '') : undefined,
      }) as { dd?: boolean }
      // Dead or not is known a second later: no navigation, no DOM change, and the same focus.
      const page = location.href
      const focus = d.activeElement
      const before = changes
      const settle = (left: boolean): void => {
        if (!waiting.delete(settle)) return
        clearTimeout(timer)
        if (!waiting.size) observer.disconnect()
        click.dd = !left && location.href == page && d.activeElement == focus && changes == before
        batch.push(click)
      }
      if (!waiting.size) {
        observer.observe(d.documentElement, { subtree: true, childList: true, attributes: true, characterData: true })
      }
      waiting.add(settle)
      const timer = setTimeout(() => settle(false), DEAD_MS)
    },
    true,
  )
}
