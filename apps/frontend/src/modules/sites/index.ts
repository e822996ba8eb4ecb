import type { RouteRecordRaw } from 'vue-router'

/** A team's sites, and each site's audience overview. */
export const sitesRoutes: RouteRecordRaw[] = [
  { path: '/sites', name: 'sites', component: () => import('./routes/SitesPage.vue'), meta: { auth: true } },
  {
    path: '/sites/:siteId',
    name: 'site',
    component: () => import('./routes/SiteOverview.vue'),
    meta: { auth: true },
    props: true,
  },
]
