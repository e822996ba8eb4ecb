import type { RouteRecordRaw } from 'vue-router'

/** A shared link's read-only dashboard: no account, a password prompt when the link has one, and
 * `?embed=1` without the app's chrome for an iframe. */
export const shareRoutes: RouteRecordRaw[] = [
  { path: '/share/:token', name: 'shared', component: () => import('./routes/SharedDashboard.vue'), props: true, meta: { bare: true } },
]
