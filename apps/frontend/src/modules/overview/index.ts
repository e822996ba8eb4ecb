import type { RouteRecordRaw } from 'vue-router'

/** The instance overview: what a self-hoster sees first. */
export const overviewRoutes: RouteRecordRaw[] = [
  { path: '/', name: 'overview', component: () => import('./routes/OverviewPage.vue') },
]
