import type { RouteRecordRaw } from 'vue-router'

/** A site's funnels: a builder, and each funnel's conversion and drop-off per step. */
export const funnelRoutes: RouteRecordRaw[] = [
  {
    path: '/sites/:siteId/funnels',
    name: 'funnels',
    component: () => import('./routes/FunnelsPage.vue'),
    meta: { auth: true },
    props: true,
  },
]
