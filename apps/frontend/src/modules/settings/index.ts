import type { RouteRecordRaw } from 'vue-router'

/** A site's settings, each section gated by the caller's role. */
export const settingsRoutes: RouteRecordRaw[] = [
  {
    path: '/sites/:siteId/settings',
    name: 'site-settings',
    component: () => import('./routes/SiteSettings.vue'),
    meta: { auth: true },
    props: true,
  },
]
