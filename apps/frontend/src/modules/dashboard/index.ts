import type { RouteRecordRaw } from 'vue-router'

/** A site's dashboard (all its state in the URL) and its realtime view. */
export const dashboardRoutes: RouteRecordRaw[] = [
  {
    path: '/sites/:siteId',
    name: 'site',
    component: () => import('./routes/SiteDashboard.vue'),
    meta: { auth: true },
    props: true,
  },
  {
    path: '/sites/:siteId/realtime',
    name: 'realtime',
    component: () => import('./routes/RealtimePage.vue'),
    meta: { auth: true },
    props: true,
  },
]
