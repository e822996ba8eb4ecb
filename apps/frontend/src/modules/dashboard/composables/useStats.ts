/** The Stats API for one site, under the dashboard's state (period, filters, segment). */
import { api, problemDetail } from '@/api/client'
import { apiFilters, dateRange, type DashboardState } from '../state'

export interface Row {
  dimensions: string[]
  metrics: (number | null)[]
  comparison?: { metrics: (number | null)[]; change: (number | null)[] } | null
}

export interface Answer {
  results: Row[]
  meta: Record<string, unknown>
}

export async function siteQuery(siteId: string, state: DashboardState, body: Record<string, unknown>): Promise<Answer> {
  const filters = [...apiFilters(state), ...((body.filters as unknown[]) ?? [])]
  const { data, error } = await api.POST('/api/sites/{site_id}/query', {
    params: { path: { site_id: siteId } },
    body: {
      date_range: dateRange(state),
      ...body,
      filters,
      ...(state.segment ? { segment_id: state.segment } : {}),
      ...(state.imports ? { include: { ...((body.include as object) ?? {}), imports: true } } : {}),
    } as never,
  })
  if (!data) throw new Error(problemDetail(error, 'The statistics could not be loaded.'))
  return data as unknown as Answer
}

/** Numbers and durations as the person's locale writes them. */
export function formatMetric(metric: string, value: number | null | undefined): string {
  if (value === null || value === undefined) return '–'
  if (metric === 'bounce_rate' || metric === 'conversion_rate' || metric === 'percentage') return `${value.toLocaleString()}%`
  if (metric === 'visit_duration' || metric === 'time_on_page') {
    const minutes = Math.floor(value / 60)
    return minutes ? `${minutes}m ${Math.round(value % 60)}s` : `${Math.round(value)}s`
  }
  return value.toLocaleString()
}
