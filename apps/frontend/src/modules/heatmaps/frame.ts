/** How the dashboard opens a page with its heatmap: the widths it frames pages at, the device class a
 * width stands for, and the page address with the heatmap token in its fragment. */

export type OverlayMode = 'clicks' | 'scroll' | 'rage' | 'dead'

/** The framed view's widths; 0 is a custom width. */
export const WIDTHS = [
  { label: 'Mobile', width: 390 },
  { label: 'Tablet', width: 820 },
  { label: 'Desktop', width: 1440 },
  { label: 'Custom', width: 0 },
] as const

/** The device class whose clicks a page shown at this width should draw. Classes come from visitors'
 * user agents; phones show pages narrower than 600 px, tablets narrower than 1024 px. */
export function deviceForWidth(width: number): 'Mobile' | 'Tablet' | 'Desktop' {
  return width < 600 ? 'Mobile' : width < 1024 ? 'Tablet' : 'Desktop'
}

/** The page's address with `#<token>&api=<this dashboard's origin>`, and `&frame=<origin>` when the
 * dashboard frames it (the overlay then takes its orders from that origin only). The page's own fragment
 * is replaced: the tracker reads the token from it. */
export function frameAddress(page: string, token: string, dashboard: string, framed: boolean): string {
  const url = new URL(page)
  const params = new URLSearchParams({ api: dashboard })
  if (framed) params.set('frame', dashboard)
  url.hash = `${token}&${params}`
  return url.href
}
