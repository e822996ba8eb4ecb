import type { RouteRecordRaw } from 'vue-router'

/** Heatmaps of a site: the most clicked pages, and for one page its elements, scroll map and trouble spots. */
export const heatmapRoutes: RouteRecordRaw[] = [
  { path: '/sites/:siteId/heatmaps', name: 'heatmaps', component: () => import('./routes/HeatmapsPage.vue'), meta: { auth: true }, props: true },
]
