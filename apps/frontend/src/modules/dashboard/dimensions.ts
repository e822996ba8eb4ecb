/** What each dimension is called on screen, and the breakdown panels' tabs. */

export const DIMENSION_LABELS: Record<string, string> = {
  'event:page': 'Page',
  'event:hostname': 'Hostname',
  'event:name': 'Event',
  'event:goal': 'Goal',
  'visit:entry_page': 'Entry page',
  'visit:exit_page': 'Exit page',
  'visit:channel': 'Channel',
  'visit:source': 'Source',
  'visit:referrer': 'Referrer',
  'visit:utm_medium': 'UTM medium',
  'visit:utm_source': 'UTM source',
  'visit:utm_campaign': 'UTM campaign',
  'visit:utm_content': 'UTM content',
  'visit:utm_term': 'UTM term',
  'visit:country': 'Country',
  'visit:region': 'Region',
  'visit:city': 'City',
  'visit:browser': 'Browser',
  'visit:browser_version': 'Browser version',
  'visit:os': 'Operating system',
  'visit:os_version': 'OS version',
  'visit:device': 'Device',
  'visit:screen': 'Screen',
}

/** `event:props:plan` reads "Property plan". */
export function dimensionLabel(dimension: string): string {
  if (dimension.startsWith('event:props:')) return `Property ${dimension.slice('event:props:'.length)}`
  return DIMENSION_LABELS[dimension] ?? dimension
}

/** One tab of a panel: rows by `dimension`, shown by `display` (a name for a code) when given. */
export interface Tab {
  label: string
  dimension: string
  display?: string
  metrics: { key: string; label: string }[]
  map?: boolean // countries on a world map above the rows
}

const VISITORS = { key: 'visitors', label: 'Visitors' }
const tab = (label: string, dimension: string, display?: string, more: Tab['metrics'] = []): Tab => ({
  label,
  dimension,
  display,
  metrics: [VISITORS, ...more],
})

export const PANELS: { title: string; tabs: Tab[] }[] = [
  {
    title: 'Pages',
    tabs: [
      tab('Pages', 'event:page', undefined, [
        { key: 'pageviews', label: 'Pageviews' },
        { key: 'bounce_rate', label: 'Bounce rate' },
      ]),
      tab('Entry pages', 'visit:entry_page', undefined, [{ key: 'visits', label: 'Visits' }]),
      tab('Exit pages', 'visit:exit_page', undefined, [{ key: 'visits', label: 'Visits' }]),
    ],
  },
  {
    title: 'Sources',
    tabs: [
      tab('Channels', 'visit:channel', undefined, [{ key: 'bounce_rate', label: 'Bounce rate' }]),
      tab('Sources', 'visit:source', undefined, [{ key: 'bounce_rate', label: 'Bounce rate' }]),
      tab('Referrers', 'visit:referrer'),
      tab('Campaigns', 'visit:utm_campaign'),
      tab('UTM sources', 'visit:utm_source'),
      tab('UTM mediums', 'visit:utm_medium'),
    ],
  },
  {
    title: 'Locations',
    tabs: [
      { ...tab('Countries', 'visit:country', 'visit:country_name'), map: true },
      tab('Regions', 'visit:region', 'visit:region_name'),
      tab('Cities', 'visit:city', 'visit:city_name'),
    ],
  },
  {
    title: 'Devices',
    tabs: [
      tab('Browsers', 'visit:browser'),
      tab('Operating systems', 'visit:os'),
      tab('Devices', 'visit:device'),
      tab('Screens', 'visit:screen'),
    ],
  },
]
