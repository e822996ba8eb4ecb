/** The dashboard's state, kept in the URL so that any view can be shared by copying the address:
 * `?period=30d&compare=previous_period&metric=visitors&interval=day&f=is|visit:source|Google&segment=…&t=Sources:2`.
 * Each filter is one `f` parameter: operator, dimension and values joined by `|`; each panel not on its
 * first tab is one `t` parameter, the panel's title and the tab's position. */
import type { LocationQuery, LocationQueryRaw } from 'vue-router'

export const OPERATORS = {
  is: 'is',
  is_not: 'is not',
  contains: 'contains',
  contains_not: 'does not contain',
  matches: 'matches',
  matches_not: 'does not match',
} as const
export type Operator = keyof typeof OPERATORS

export interface Filter {
  op: Operator
  dimension: string
  values: string[]
}

export const PERIODS = {
  realtime: 'Last 30 minutes',
  day: 'Today',
  yesterday: 'Yesterday',
  '7d': 'Last 7 days',
  '28d': 'Last 28 days',
  '30d': 'Last 30 days',
  '91d': 'Last 91 days',
  month: 'Month to date',
  last_month: 'Last month',
  year: 'Year to date',
  '12mo': 'Last 12 months',
  all: 'All time',
  custom: 'Custom range',
} as const
export type Period = keyof typeof PERIODS

export const COMPARISONS = { previous_period: 'Previous period', year_over_year: 'Year over year' } as const
export type Comparison = keyof typeof COMPARISONS

export const CHART_METRICS = ['visitors', 'visits', 'pageviews', 'views_per_visit', 'bounce_rate', 'visit_duration'] as const
export type ChartMetric = (typeof CHART_METRICS)[number]

export const INTERVALS = { minute: 'Minutes', hour: 'Hours', day: 'Days', week: 'Weeks', month: 'Months' } as const
export type Interval = keyof typeof INTERVALS

export interface DashboardState {
  period: Period
  from: string | null // custom range, ISO dates, both included
  to: string | null
  compare: Comparison | null
  metric: ChartMetric
  interval: Interval | null // null: the API picks from the range's length
  filters: Filter[]
  segment: string | null
  tabs: Record<string, number> // panel title → the open tab's position, when not the first
  imports: boolean // add imported history (from Plausible or GA4) where the API can
}

export const DEFAULT_STATE: DashboardState = {
  period: '30d',
  from: null,
  to: null,
  compare: null,
  metric: 'visitors',
  interval: null,
  filters: [],
  segment: null,
  tabs: {},
  imports: false,
}

const DATE = /^\d{4}-\d{2}-\d{2}$/
const one = (value: LocationQuery[string] | undefined): string | null =>
  (Array.isArray(value) ? value[0] : value) ?? null
const all = (value: LocationQuery[string] | undefined): string[] =>
  (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string')
const pick = <T extends string>(value: string | null, allowed: readonly T[] | Record<T, unknown>, fallback: T): T => {
  const keys = (Array.isArray(allowed) ? allowed : Object.keys(allowed)) as T[]
  return value !== null && keys.includes(value as T) ? (value as T) : fallback
}

// Within a filter's URL form only `%` and the separator `|` are escaped: the router encodes the rest, so
// the address stays readable (`f=is|event:page|/pricing`).
const escape = (part: string): string => part.replace(/%/g, '%25').replace(/\|/g, '%7C')
const unescape = (part: string): string => part.replace(/%7C/gi, '|').replace(/%25/g, '%')

/** A filter from its URL form, or null when it is not one (a hand-edited address). */
export function parseFilter(raw: string): Filter | null {
  const [op, dimension, ...values] = raw.split('|').map(unescape)
  if (!op || !(op in OPERATORS) || !dimension || !/^(event|visit):[\w:.-]+$/.test(dimension) || !values.length) return null
  return { op: op as Operator, dimension, values }
}

export function formatFilter(filter: Filter): string {
  return [filter.op, filter.dimension, ...filter.values].map(escape).join('|')
}

/** The state a URL query describes; anything unknown falls back to the default. */
export function readState(query: LocationQuery): DashboardState {
  const from = one(query.from)
  const to = one(query.to)
  const custom = from !== null && to !== null && DATE.test(from) && DATE.test(to) && from <= to
  const period = pick(one(query.period), PERIODS, DEFAULT_STATE.period)
  const compare = one(query.compare)
  return {
    period: period === 'custom' && !custom ? DEFAULT_STATE.period : period,
    from: period === 'custom' && custom ? from : null,
    to: period === 'custom' && custom ? to : null,
    compare: compare !== null && compare in COMPARISONS ? (compare as Comparison) : null,
    metric: pick(one(query.metric), CHART_METRICS, DEFAULT_STATE.metric),
    interval: one(query.interval) !== null && (one(query.interval) as string) in INTERVALS ? (one(query.interval) as Interval) : null,
    filters: all(query.f)
      .map(parseFilter)
      .filter((f): f is Filter => f !== null),
    segment: one(query.segment),
    tabs: Object.fromEntries(
      all(query.t)
        .map((t) => /^([A-Za-z]+):([1-9])$/.exec(t))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1]!, Number(m[2])]),
    ),
    imports: one(query.imports) === '1',
  }
}

/** The URL query of a state; defaults are left out, so the plain address is the default view. */
export function writeState(state: DashboardState): LocationQueryRaw {
  const query: LocationQueryRaw = {}
  if (state.period !== DEFAULT_STATE.period) query.period = state.period
  if (state.period === 'custom' && state.from && state.to) Object.assign(query, { from: state.from, to: state.to })
  if (state.compare) query.compare = state.compare
  if (state.metric !== DEFAULT_STATE.metric) query.metric = state.metric
  if (state.interval) query.interval = state.interval
  if (state.filters.length) query.f = state.filters.map(formatFilter)
  if (state.segment) query.segment = state.segment
  const tabs = Object.entries(state.tabs).filter(([, i]) => i > 0)
  if (tabs.length) query.t = tabs.sort().map(([panel, i]) => `${panel}:${i}`)
  if (state.imports) query.imports = '1'
  return query
}

/** The state with a filter added; an `is` filter on a dimension replaces the one already on it. */
export function withFilter(state: DashboardState, filter: Filter): DashboardState {
  const kept = state.filters.filter((f) => !(f.dimension === filter.dimension && f.op === filter.op))
  return { ...state, filters: [...kept, filter] }
}

export function withoutFilter(state: DashboardState, index: number): DashboardState {
  return { ...state, filters: state.filters.filter((_, i) => i !== index) }
}

/** The Stats API's `date_range` and `filters` for a state. */
export function dateRange(state: DashboardState): string | [string, string] {
  return state.period === 'custom' && state.from && state.to ? [state.from, state.to] : state.period
}

export function apiFilters(state: DashboardState): [Operator, string, string[]][] {
  return state.filters.map((f) => [f.op, f.dimension, f.values])
}

/** A filter as a person reads it: "Source is Google". */
export function describeFilter(filter: Filter, label: (dimension: string) => string): string {
  return `${label(filter.dimension)} ${OPERATORS[filter.op]} ${filter.values.join(' or ')}`
}
