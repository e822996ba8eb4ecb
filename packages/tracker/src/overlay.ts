/** Entry of /js/overlay.js, the heatmap overlay: the core script loads it (and tracks nothing) when the
 * page's fragment holds a heatmap token, as the dashboard's "View heatmap on page" and its framed view
 * open pages. It reads the page's aggregates with the token from Fieldmark's heatmap API and draws them
 * over the document: a heat layer of clicks, the most clicked elements outlined with their counts, the
 * scroll map, or the elements with rage or dead clicks. The layer is laid out in document coordinates,
 * so it scrolls with the page, and it is redrawn when the page is resized.
 *
 * The fragment is `#<token>[&api=<Fieldmark origin>][&frame=<dashboard origin>]`. On its own page the
 * overlay has a toolbar (what to draw, period, device); inside the dashboard's frame the dashboard drives
 * it by `postMessage`, and messages are taken only from the parent window at the `frame` origin. */

export type Mode = 'clicks' | 'scroll' | 'rage' | 'dead'
export interface View {
  mode: Mode
  date_range: string | [string, string]
  device: string // '' for every device
}
interface Cell {
  column: number
  row: number
  clicks: number
  weight: number
}
interface Heatmap {
  page: string
  clicks: number
  columns: number
  cells: Cell[]
  elements: { selector: string; label: string; clicks: number; share: number }[]
  scroll: { depth: number; share: number }[]
  pageviews: number
  troubles: { selector: string; rage: number; dead: number }[]
}
/** An element to outline, with its caption. */
export interface Box {
  selector: string
  caption: string
  kind: Mode
}

const TOKEN = /^#(fmh_([0-9a-f]{32})_\d+_[\w-]+)(.*)$/
const OUTLINED = 10 // the most clicked elements outlined in the clicks view
const PERIODS: [string, string][] = [
  ['day', 'Today'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
  ['12mo', 'Last 12 months'],
]
const DEVICES = ['', 'Desktop', 'Mobile', 'Tablet']
const MODES: Mode[] = ['clicks', 'scroll', 'rage', 'dead']
// The tallest canvas drawn at full resolution; a longer document is drawn scaled down (browsers limit a
// canvas's size).
const MAX_CANVAS = 16_000
const CELL_PX = 12

/** The token, the site it grants, and where to read and whom to answer, from the page's fragment. */
export function parseFragment(hash: string, moduleUrl: string): { token: string; endpoint: string; frame: string | null } | null {
  const match = TOKEN.exec(hash)
  if (!match) return null
  const [, token, hex, rest] = match
  const params = new URLSearchParams(rest.replace(/^&/, ''))
  const origin = (name: string): string | null => {
    const value = params.get(name)
    return value && /^https?:\/\/[^/]+$/.test(value) ? value : null
  }
  const site = hex.replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-')
  const base = origin('api') ? origin('api') + '/' : new URL('..', moduleUrl).href
  return { token, endpoint: new URL(`api/sites/${site}/heatmap`, base).href, frame: origin('frame') }
}

/** A colour of the heat scale for an intensity from 0 to 1: blue, cyan, lime, yellow, red. */
export function heatColour(intensity: number): [number, number, number] {
  const stops: [number, [number, number, number]][] = [
    [0, [0, 0, 255]],
    [0.25, [0, 255, 255]],
    [0.5, [0, 255, 0]],
    [0.75, [255, 255, 0]],
    [1, [255, 0, 0]],
  ]
  const t = Math.min(1, Math.max(0, intensity))
  for (let i = 1; i < stops.length; i++) {
    const [at, to] = stops[i]
    const [from, start] = stops[i - 1]
    if (t <= at) {
      const k = (t - from) / (at - from)
      return start.map((c, j) => Math.round(c + (to[j] - c) * k)) as [number, number, number]
    }
  }
  return [255, 0, 0]
}

/** What to outline for a view: the most clicked elements, or those with rage or dead clicks. */
export function boxesFor(heatmap: Heatmap, mode: Mode): Box[] {
  if (mode == 'clicks') {
    return heatmap.elements.slice(0, OUTLINED).map((e) => ({
      selector: e.selector,
      caption: `${e.clicks.toLocaleString('en')} ${e.clicks == 1 ? 'click' : 'clicks'} · ${e.share}%`,
      kind: mode,
    }))
  }
  if (mode == 'rage' || mode == 'dead') {
    return heatmap.troubles
      .filter((t) => t[mode] > 0)
      .map((t) => ({ selector: t.selector, caption: `${t[mode].toLocaleString('en')} ${mode} ${t[mode] == 1 ? 'click' : 'clicks'}`, kind: mode }))
  }
  return []
}

const STYLE = `
:host{all:initial}
canvas{position:absolute;left:0;top:0;pointer-events:none}
.box{position:absolute;box-sizing:border-box;border:2px solid #111;border-radius:3px;pointer-events:none}
.box.rage{border-color:#c2410c}.box.dead{border:2px dashed #475569}
.box span{position:absolute;left:-2px;bottom:100%;margin-bottom:2px;padding:1px 6px;border-radius:3px;background:#111;color:#fff;font:600 12px/18px system-ui,sans-serif;white-space:nowrap}
.box.rage span{background:#c2410c}.box.dead span{background:#475569}
.bar{position:fixed;right:16px;bottom:16px;display:flex;flex-wrap:wrap;gap:6px;align-items:center;max-width:calc(100vw - 32px);padding:8px 10px;border-radius:8px;background:#0f172a;color:#f8fafc;font:13px/1.3 system-ui,sans-serif;box-shadow:0 4px 16px rgba(0,0,0,.3);pointer-events:auto}
.bar strong{margin-right:4px}
.bar button,.bar select{font:inherit;color:inherit;background:#1e293b;border:1px solid #334155;border-radius:5px;padding:3px 8px;cursor:pointer}
.bar button[aria-pressed=true]{background:#f8fafc;color:#0f172a}
.bar output{flex-basis:100%;color:#cbd5e1}
`

function start(): void {
  const found = parseFragment(location.hash, import.meta.url)
  if (!found) return
  const { token, endpoint, frame } = found
  const framed = frame != null && parent != window
  const d = document
  const view: View = { mode: 'clicks', date_range: '30d', device: '' }
  let heatmap: Heatmap | null = null
  let problem = ''
  let asked = 0 // the latest request: an earlier one's late answer is dropped

  const host = d.createElement('fieldmark-heatmap')
  host.setAttribute('style', 'position:absolute;left:0;top:0;width:0;height:0;overflow:visible;z-index:2147483646')
  const root = host.attachShadow({ mode: 'open' })
  root.innerHTML = `<style>${STYLE}</style><canvas></canvas><div class="boxes"></div>`
  const canvas = root.querySelector('canvas')!
  const boxes = root.querySelector('.boxes')!
  d.documentElement.append(host)

  // The toolbar, on the page itself only (the dashboard has its own controls).
  let status: HTMLOutputElement | null = null
  if (!framed) {
    const bar = d.createElement('div')
    bar.className = 'bar'
    bar.setAttribute('role', 'toolbar')
    bar.setAttribute('aria-label', 'Fieldmark heatmap')
    bar.innerHTML = '<strong>Fieldmark</strong>'
    for (const mode of MODES) {
      const button = d.createElement('button')
      button.type = 'button'
      button.textContent = mode[0].toUpperCase() + mode.slice(1)
      button.dataset.mode = mode
      button.onclick = () => {
        view.mode = mode
        show()
      }
      bar.append(button)
    }
    const select = (label: string, options: [string, string][], key: 'date_range' | 'device'): void => {
      const element = d.createElement('select')
      element.setAttribute('aria-label', label)
      for (const [value, text] of options) element.add(new Option(text, value, false, value == view[key]))
      element.onchange = () => {
        view[key] = element.value
        void fetchAndShow()
      }
      bar.append(element)
    }
    select('Period', PERIODS, 'date_range')
    select('Device', DEVICES.map((device) => [device, device || 'All devices']), 'device')
    const close = d.createElement('button')
    close.type = 'button'
    close.textContent = '×'
    close.setAttribute('aria-label', 'Close the heatmap')
    close.onclick = () => {
      host.remove()
      removeEventListener('resize', schedule)
      observer.disconnect()
    }
    bar.append(close)
    status = d.createElement('output')
    bar.append(status)
    root.append(bar)
  }

  const tell = (message: object): void => {
    if (framed) parent.postMessage({ source: 'fieldmark-overlay', ...message }, frame!)
  }

  async function fetchAndShow(): Promise<void> {
    const mine = ++asked
    problem = ''
    if (status) status.textContent = 'Loading…'
    try {
      // Cells of about 12 px at the width the page is shown at (the grid is relative to the width).
      const columns = Math.min(200, Math.max(10, Math.round(size().width / CELL_PX)))
      const body = { page: location.pathname, date_range: view.date_range, columns, ...(view.device ? { device: view.device } : {}) }
      const answer = await fetch(endpoint, {
        method: 'POST',
        headers: { Authorization: 'Heatmap ' + token, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      })
      if (mine != asked) return
      if (answer.ok) heatmap = await answer.json()
      else {
        heatmap = null
        problem =
          answer.status == 401
            ? 'This heatmap link has expired: open it again from the dashboard.'
            : ((await answer.json().catch(() => null))?.detail ?? `The heatmap could not be read (${answer.status}).`)
      }
    } catch {
      if (mine != asked) return
      heatmap = null
      problem = 'Fieldmark could not be reached.'
    }
    show()
  }

  /** The document's size now, and the scale its canvas is drawn at. */
  const size = (): { width: number; height: number; scale: number } => {
    const root = d.documentElement
    const width = Math.max(root.scrollWidth, root.clientWidth)
    const height = Math.max(root.scrollHeight, d.body ? d.body.scrollHeight : 0, root.clientHeight)
    return { width, height, scale: Math.min(1, MAX_CANVAS / height, MAX_CANVAS / width) }
  }

  function drawClicks(context: CanvasRenderingContext2D, data: Heatmap, width: number): void {
    // Each cell is a soft spot whose opacity is its weight; where spots overlap they add up. The alpha
    // is then mapped to the heat scale, so the busiest cell is red and the quiet ones blue.
    const cell = width / data.columns
    const radius = Math.max(cell * 2, 16)
    for (const c of data.cells) {
      const x = (c.column + 0.5) * cell
      const y = (c.row + 0.5) * cell
      const spot = context.createRadialGradient(x, y, 0, x, y, radius)
      spot.addColorStop(0, `rgba(0,0,0,${Math.max(0.08, c.weight)})`)
      spot.addColorStop(0.3, `rgba(0,0,0,${Math.max(0.08, c.weight) * 0.95})`)
      spot.addColorStop(1, 'rgba(0,0,0,0)')
      context.fillStyle = spot
      context.fillRect(x - radius, y - radius, radius * 2, radius * 2)
    }
    const image = context.getImageData(0, 0, context.canvas.width, context.canvas.height)
    const pixels = image.data
    const palette: number[][] = []
    for (let a = 0; a < 256; a++) palette.push(heatColour(a / 255))
    for (let i = 3; i < pixels.length; i += 4) {
      const alpha = pixels[i]
      if (!alpha) continue
      const [r, g, b] = palette[alpha]
      pixels[i - 3] = r
      pixels[i - 2] = g
      pixels[i - 1] = b
      pixels[i] = Math.min(230, 60 + alpha) // the page stays readable under the heat
    }
    context.putImageData(image, 0, 0)
  }

  function drawScroll(context: CanvasRenderingContext2D, data: Heatmap, width: number, height: number): void {
    // Bands of 5% of the page, coloured by the share of pageviews that got that far, with the share
    // written at every quarter.
    context.font = '600 13px system-ui, sans-serif'
    for (const { depth, share } of data.scroll) {
      if (depth >= 100) continue
      const [r, g, b] = heatColour(share / 100)
      context.fillStyle = `rgba(${r},${g},${b},0.35)`
      context.fillRect(0, (depth / 100) * height, width, height / 20 + 1)
    }
    for (const { depth, share } of data.scroll) {
      if (depth % 25 || depth == 0 || depth == 100) continue
      const y = (depth / 100) * height
      context.fillStyle = '#0f172a'
      context.fillRect(0, y - 1, width, 2)
      const text = `${share}% of pageviews reached here`
      context.fillRect(8, y + 2, context.measureText(text).width + 16, 22)
      context.fillStyle = '#f8fafc'
      context.fillText(text, 16, y + 18)
    }
  }

  function show(): void {
    // The layer itself must not stretch the document it measures.
    canvas.style.width = canvas.style.height = '0'
    boxes.textContent = ''
    const { width, height, scale } = size()
    canvas.width = Math.round(width * scale)
    canvas.height = Math.round(height * scale)
    canvas.style.width = width + 'px'
    canvas.style.height = height + 'px'
    const context = canvas.getContext('2d', { willReadFrequently: true })!
    context.setTransform(scale, 0, 0, scale, 0, 0)
    context.clearRect(0, 0, width, height)
    for (const button of root.querySelectorAll<HTMLButtonElement>('.bar button[data-mode]')) {
      button.setAttribute('aria-pressed', String(button.dataset.mode == view.mode))
    }
    const drawn: { selector: string; caption: string; left: number; top: number; width: number; height: number }[] = []
    if (heatmap) {
      if (view.mode == 'clicks') drawClicks(context, heatmap, width)
      if (view.mode == 'scroll') drawScroll(context, heatmap, width, height)
      for (const box of boxesFor(heatmap, view.mode)) {
        let element: Element | null = null
        try {
          element = d.querySelector(box.selector)
        } catch {
          // a selector this browser does not take
        }
        if (!element) continue
        const rect = element.getBoundingClientRect()
        if (!rect.width && !rect.height) continue
        const outline = d.createElement('div')
        outline.className = 'box ' + box.kind
        outline.dataset.selector = box.selector
        const place = { left: rect.left + scrollX, top: rect.top + scrollY, width: rect.width, height: rect.height }
        Object.assign(outline.style, {
          left: place.left + 'px',
          top: place.top + 'px',
          width: place.width + 'px',
          height: place.height + 'px',
        })
        const caption = d.createElement('span')
        caption.textContent = box.caption
        outline.append(caption)
        boxes.append(outline)
        drawn.push({ selector: box.selector, caption: box.caption, ...place })
      }
    }
    const summary = problem
      ? problem
      : heatmap
        ? view.mode == 'scroll'
          ? `${heatmap.pageviews.toLocaleString('en')} pageviews of ${heatmap.page}`
          : view.mode == 'clicks'
            ? `${heatmap.clicks.toLocaleString('en')} clicks on ${heatmap.page}`
            : `${drawn.length} ${drawn.length == 1 ? 'element' : 'elements'} with ${view.mode} clicks`
        : 'Loading…'
    if (status) status.textContent = summary
    host.dataset.state = problem ? 'error' : heatmap ? 'drawn' : 'loading'
    if (heatmap || problem) {
      tell({ type: 'drawn', view, problem: problem || null, clicks: heatmap?.clicks ?? 0, pageviews: heatmap?.pageviews ?? 0, boxes: drawn, width, height })
    }
  }

  // Redrawn when the window or the document changes size, once a frame at most.
  let pending = 0
  const schedule = (): void => {
    if (!pending) {
      pending = requestAnimationFrame(() => {
        pending = 0
        show()
      })
    }
  }
  addEventListener('resize', schedule)
  const observer = new ResizeObserver(schedule)
  observer.observe(d.documentElement)

  if (framed) {
    addEventListener('message', (event: MessageEvent) => {
      if (event.origin != frame || event.source != parent) return
      const data = event.data as { source?: string; type?: string; view?: Partial<View> }
      if (data?.source != 'fieldmark-dashboard' || data.type != 'view' || !data.view) return
      const next = data.view
      if (next.mode && MODES.includes(next.mode)) view.mode = next.mode
      const range = next.date_range
      if (typeof range == 'string' || (Array.isArray(range) && range.length == 2 && range.every((r) => typeof r == 'string'))) {
        view.date_range = range
      }
      if (typeof next.device == 'string' && DEVICES.includes(next.device)) view.device = next.device
      void fetchAndShow()
    })
    tell({ type: 'ready', page: location.pathname })
  } else void fetchAndShow()
}

start()
