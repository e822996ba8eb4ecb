import type { RouteRecordRaw } from 'vue-router'

/** A team's sites (each site's dashboard is the dashboard module). */
export const sitesRoutes: RouteRecordRaw[] = [
  { path: '/sites', name: 'sites', component: () => import('./routes/SitesPage.vue'), meta: { auth: true } },
]
