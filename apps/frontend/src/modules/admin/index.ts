import type { RouteRecordRaw } from 'vue-router'

/** The instance administrator's page. */
export const adminRoutes: RouteRecordRaw[] = [
  { path: '/admin', name: 'admin', component: () => import('./routes/AdminPage.vue'), meta: { auth: true } },
]
